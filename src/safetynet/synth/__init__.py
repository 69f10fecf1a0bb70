"""The synthetic county: a whole county's records in the interchange format, with ground truth.

Pure Python (no Django, no database): `safetynet.synth.generator.generate(config, out, truth)`.
See docs/synth.md for the truth file and the practice failures it plants.
"""
