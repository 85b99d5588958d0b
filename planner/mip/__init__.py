"""The plan as a mixed-integer program (docs/model.md): `formulation.build` writes the whole MIP of
one plan variant into a `linear.LinearModel`, one function per constraint family, with the growth
dynamics in growth.py and rigid streams' rows in rigid.py; `target.build_target` asks whether the
goal can be met by a period, and `levels.either` joins one model per level of an intervention."""
