"""News articles in Arabic, English, French and Persian to tables of entities, figures and quotes."""

__version__ = "0.1.0"
