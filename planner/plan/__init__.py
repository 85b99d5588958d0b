"""The plan file and nothing past it: its strict pydantic tables and the `Plan` (schema.py), read
from TOML or JSON (load.py), checked across tables (checks.py) with each error placed at its file,
table and key (locate.py); dotted paths into a plan's data (paths.py) and the `--set` and
`[overrides.NAME]` changes built on them (overrides.py); advisory warnings (lint.py), generated
plans (synthetic.py) and starter files (templates/). Submodules are imported by name, not from
here, so that importing this package loads nothing (pydantic included).
"""
