"""Oracles for the planner: routes to its answers that share nothing with planner/ but the plan file.

- `independent.py`: every key of docs/plan-file.md read here with tomllib and csv, and written as
  a MIP of its own (one-hot completion periods, period weights, big-M staffing rows) solved by SCIP.
- `plans.py`: seeded random valid plans of 2-10 streams that combine every key.
- `campaign.py`: one seed's plan solved by the planner and by the oracle, each variant classified.
- `bets_oracle.py`: plans with research bets as a policy MIP of its own (every attempt of every
  bet enumerated, every pair of outcome scenarios tied until an outcome they differ in is known);
  `bets_campaign.py`: random small plans with bets, solved both ways.
"""
