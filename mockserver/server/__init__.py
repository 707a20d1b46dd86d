"""The Connexion host: the only package that imports Connexion, Starlette or Flask."""

from mockserver.server.app import create_app

__all__ = ["create_app"]
