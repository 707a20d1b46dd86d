"""The request pipeline: its typed stages, the runtime they share and the one place that
assembles them (:mod:`mockserver.pipeline.assembly`)."""
