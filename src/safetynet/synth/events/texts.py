"""What officers and staff write: victim-blaming sentences planted at the configured rate, and
the compliant wording written otherwise (no compliant text contains a blaming phrase)."""

from __future__ import annotations

# text never contains any of them.
BLAMING_PHRASES = (
    "regular missing person",
    "missing through choice",
    "will always return",
    "usual parameters",
    "own volition",
    "putting themselves at risk",
    "streetwise",
    "lifestyle choice",
    "consensual",
)
MISSING_BLAMING = (
    "She is a regular missing person.",
    "Missing through choice.",
    "Carers say he will always return when he runs out of money.",
    "Believed to be in her usual parameters.",
    "Left of her own volition.",
    "Young people like this are putting themselves at risk.",
    "He is streetwise and knows the area.",
    "Staff describe going missing as a lifestyle choice.",
)
INCIDENT_BLAMING = (
    "He is streetwise and can look after himself.",
    "Staff describe this as a lifestyle choice.",
    "Young people like this are putting themselves at risk.",
    "Went with the adults of her own volition.",
)
# Rationales that lower a missing child's grade by citing how often they go missing (M1).
FREQUENCY_RATIONALES = (
    "He is a regular missing person and always comes back.",
    "Goes missing most weekends; graded medium as on previous occasions.",
    "Known to go missing frequently from placement and returns the next day.",
    "Has been reported missing many times before with no harm coming to her.",
    "Repeat missing person, pattern unchanged, graded low.",
)
HIGH_RATIONALES = (
    "Child; force policy grades every missing child high. Vulnerable due to age and history.",
    "Graded high per policy: looked-after child, markers for exploitation on record.",
    "High: under 18, phone off, not with known friends, concern for welfare.",
    "High: missing overnight, known associations with adults of concern.",
)
DEMEANOURS = (
    "quiet and withdrawn",
    "upset and tearful",
    "calm",
    "anxious",
    "angry",
    "clingy to mother",
    "asleep on arrival",
)
VOICES = (
    "Said she was scared when the shouting started and hid upstairs.",
    "Told the officer he wants his dad to stop coming round.",
    "Said it happens a lot and she covers her ears.",
    "Did not want to talk about it; said he was fine and wanted to go to school.",
    "Said she worries about her mum when she is at school.",
    "Said he feels safe at his nan's house.",
)
WISHES = (
    "wants to stay at home with mum",
    "wants to live with nan",
    "wants the arguing to stop",
    "wants to see dad but not at home",
)
PLACES_OF_CONCERN = ("an address of an adult of concern", "a hotel", "a known drug address")
