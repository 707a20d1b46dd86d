"""Response synthesis: domain generators first, then spec examples, then schema data."""
