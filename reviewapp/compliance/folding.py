"""Names folded before rules match them, so spelling tricks do not hide an agency.

"Immigration & Customs Enforcement", "ＩＣＥ" (fullwidth), "IСE" with a Cyrillic С, a
zero-width space or a soft hyphen inside a word, "Border-Patrol", "U.S." or double spaces
all fold to the plain form the agency list is written in. Case is kept: acronyms match
only in capitals ("Oakland Ice Center" is not ICE).
"""

import re
import unicodedata

# Letters from other scripts drawn like Latin ones (Unicode's confusables for the letters
# an agency's name or acronym uses): Cyrillic and Greek capitals and small letters.
LOOK_ALIKES = str.maketrans({
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D",
    "Ԛ": "Q", "Ԝ": "W", "Ү": "Y", "Ӏ": "I",
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "ү": "y", "ӏ": "l", "һ": "h", "ɡ": "g",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x",
})
# "U.S.", "U. S." and "U.S.A." are one word, as are other dotted initials ("D.E.A.").
DOTTED_INITIALS = re.compile(r"\b(?:[A-Za-z]\.\s?){2,}")
NOT_A_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Return `text` as the agency rules read it (case kept, see the module's docstring)."""
    # Invisible characters (format controls: zero-width spaces and joiners, soft hyphens,
    # direction marks) are dropped, not turned into spaces: they hide inside a word.
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    # Compatibility forms (fullwidth, ligatures, superscripts) become plain letters, and
    # accents come off ("Inmigración" reads "Inmigracion").
    # Look-alikes are mapped last, so a letter that only decomposes to one ("Ё") is too.
    decomposed = unicodedata.normalize("NFKD", visible)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = unicodedata.normalize("NFKC", plain).translate(LOOK_ALIKES)
    plain = DOTTED_INITIALS.sub(lambda m: m.group(0).replace(".", "").replace(" ", "") + " ",
                                plain)
    plain = plain.replace("&", " and ").replace("’", "").replace("'", "")
    return " ".join(NOT_A_WORD.sub(" ", plain).replace("_", " ").split())


def folded_lower(text: str | None) -> str:
    """Return `text` folded and with case ignored: how rules compare words, not acronyms."""
    return fold(text or "").casefold()
