"""Request validation against the contract, independent of any web framework."""

from mockserver.validation.schemas import SchemaCompiler, to_json_schema

__all__ = ["SchemaCompiler", "to_json_schema"]
