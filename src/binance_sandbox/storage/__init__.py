"""Storage: tables, migrations, engines, ids."""
