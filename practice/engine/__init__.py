"""The learning engine: pure Python, no Django models, so the simulation harness runs it unchanged.

- `irt`: 3PL/2PL response probabilities and Fisher information.
- `ability`: online per-skill ability estimates (Gaussian posterior, assumed-density filtering on a grid)
  and their combination into a section ability with a standard error.
- `scores`: predicted section and total scores on the SAT scale with 90% bands.
- `mastery`: the Attempted / Familiar / Proficient / Mastered levels.
- `selection`: adaptive ("matched to me") item selection.
- `streaks`: the streak rule (consecutive active days: current and longest streak).
- `calibration`: item parameters (a, b) from answers by marginal maximum likelihood, and linking to the
  current scale.
- `templates`: item templates, generators of isomorphic Math items (docs/question-format.md).
- `blueprint`: the rules a full-length test form meets; `assembly`: filling a form's section from the bank.
- `routing`: the multistage routing rule (module 1 to the easier or harder module 2).
- `testscore`: a full test's section scores by IRT pattern scoring, with bands.

docs/learning-engine.md gives the formulas and the choices behind them.
"""
