"""A validated plan turned into the numbers a model solves: one `Instance` per plan variant (the
baseline or one intervention) holding arrays per stream, pool and period (resolve.py), with each
series evaluated per period from numbers, lists, growth curves or CSV columns (series.py) and the
deadline as scenarios weighted on periods (deadlines.py). The model builder, the verifier and the
structural analysis all read an `Instance`. Submodules are imported by name, not from here, so
that importing this package loads nothing.
"""
