"""Agency names are caught however they are spelled: look-alike letters, invisible
characters, "&", punctuation, fullwidth forms, extra spaces (property-based, hypothesis)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewapp.compliance.agencies import (
    KNOWN_AGENCIES,
    STATE_BY_CODE,
    identify,
    names_immigration_agency,
    recognized,
)
from reviewapp.compliance.folding import fold
from reviewapp.compliance.reports import normalized
from reviewapp.models.vocab import RecipientType

# How departments and vendors write each listed agency (public records, audit logs).
SPELLINGS = {
    "U.S. Immigration and Customs Enforcement": [
        "Immigration and Customs Enforcement", "U.S. Immigration and Customs Enforcement",
        "ICE", "ICE ERO", "Homeland Security Investigations", "HSI Special Agent",
        "Enforcement and Removal Operations", "Inmigración y Control de Aduanas"],
    "U.S. Customs and Border Protection": [
        "Customs and Border Protection", "U.S. Border Patrol", "CBP", "Patrulla Fronteriza"],
    "U.S. Citizenship and Immigration Services": [
        "Citizenship and Immigration Services", "USCIS"],
    "U.S. Department of Homeland Security": ["Department of Homeland Security", "DHS"],
    "Federal Bureau of Investigation": ["Federal Bureau of Investigation", "FBI"],
    "Drug Enforcement Administration": ["Drug Enforcement Administration", "DEA"],
    "Bureau of Alcohol, Tobacco, Firearms and Explosives": [
        "Bureau of Alcohol, Tobacco, Firearms and Explosives", "ATF"],
    "U.S. Marshals Service": ["U.S. Marshals Service", "United States Marshals", "USMS"],
    "Vigilant Solutions LEARN": ["Vigilant Solutions", "LEARN database"],
    "Flock Safety national lookup": ["Flock Safety national lookup", "Flock network"],
    "a regional intelligence (fusion) center": [
        "Northern California Regional Intelligence Center (NCRIC)", "LA-JRIC",
        "Orange County Intelligence Assessment Center", "state fusion center",
        "Sacramento RTTAC"],
    "a vendor's nationwide lookup network": ["vendor nationwide lookup",
                                             "National Search Network"],
}
CYRILLIC = {"A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І", "K": "К", "M": "М",
            "O": "О", "P": "Р", "T": "Т", "X": "Х", "a": "а", "c": "с", "e": "е", "o": "о",
            "p": "р", "x": "х", "y": "у", "i": "і"}
GREEK = {"A": "Α", "B": "Β", "E": "Ε", "H": "Η", "I": "Ι", "K": "Κ", "M": "Μ", "N": "Ν",
         "O": "Ο", "P": "Ρ", "T": "Τ", "X": "Χ", "o": "ο"}
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff", "\u200e"]


def fullwidth(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


@st.composite
def disguised(draw, text: str) -> str:
    """The text with any of the tricks applied, character by character."""
    out = []
    for ch in text:
        trick = draw(st.sampled_from(["keep", "keep", "cyrillic", "greek", "fullwidth",
                                      "invisible"]))
        if trick == "cyrillic":
            ch = CYRILLIC.get(ch, ch)
        elif trick == "greek":
            ch = GREEK.get(ch, ch)
        elif trick == "fullwidth":
            ch = fullwidth(ch)
        elif trick == "invisible" and ch.isalpha():
            ch = ch + draw(st.sampled_from(INVISIBLE))
        out.append(ch)
    joined = "".join(out)
    spacing = draw(st.sampled_from([" ", "  ", " - ", "\u00a0", " / "]))
    return joined.replace(" and ", draw(st.sampled_from([" and ", " & ", " ＆ "]))) \
        .replace(" ", spacing)


def test_every_listed_agency_has_spellings_here():
    assert {agency.name for agency in KNOWN_AGENCIES} == set(SPELLINGS)


@pytest.mark.parametrize("agency, spelling", [
    (agency, spelling) for agency, spellings in SPELLINGS.items() for spelling in spellings])
def test_each_spelling_is_recognised(agency, spelling):
    assert identify(spelling).name == agency


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([(a, s) for a, spellings in SPELLINGS.items() for s in spellings])
       .flatmap(lambda pair: st.tuples(st.just(pair[0]), disguised(pair[1]))))
def test_disguised_spellings_are_still_recognised(case):
    agency, text = case
    found = identify(text)
    assert found is not None and found.name == agency, (text, fold(text))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(item for item in STATE_BY_CODE.items()
                              if item[1] != "California")).flatmap(
    lambda state: st.tuples(st.just(state[1]), st.sampled_from([
        f"Phoenix {state[0]} PD", f"{state[1]} Highway Patrol", f"{state[1].upper()} DPS",
        f"Sheriff, {state[1]}"]).flatmap(disguised))))
def test_another_states_agency_typed_as_californian_is_caught(case):
    state, text = case
    for declared in ("city", "county", "ca_state"):
        found = recognized(text, declared)
        assert found is not None and found.recipient_type is RecipientType.OTHER_STATE
        assert found.name == f"an agency of {state.title()}"


@pytest.mark.parametrize("name", [
    "Oakland Ice Center", "Iceland Frozen Foods", "Nevada County Sheriff", "Nevada City PD",
    "LA County Sheriff", "San Diego PD", "Alameda County District Attorney",
    "California Highway Patrol", "Office of Emergency Services"])
def test_california_and_ordinary_names_are_not_flagged(name):
    assert recognized(name, "county") is None
    assert not names_immigration_agency(name)


def test_a_state_in_a_companys_name_leaves_its_type_alone():
    assert recognized("Texas Instruments", "private") is None
    assert recognized("Texas Instruments", "city").recipient_type is RecipientType.OTHER_STATE


def test_folding_keeps_capitals_so_words_are_not_read_as_acronyms():
    assert fold("Ice") == "Ice" and identify("Ice cream vendor") is None
    assert fold("I\u200bC\u00adE") == "ICE" and identify("I\u200bC\u00adE").name.endswith(
        "Customs Enforcement")


def test_annual_report_names_compare_folded():
    approved = normalized("Alameda County Sheriff's Office")
    assert normalized("ALAMEDA COUNTY SHERIFFS  OFFICE") == approved
    assert normalized("Alameda County Sheriff\u200b’s Оffice") == approved  # Cyrillic О
    assert normalized("U.S. Marshals & Partners") == "us marshals and partners"


def test_the_home_state_is_the_profiles():
    assert recognized("Washington State Patrol", "ca_state", home_state="Washington") is None
    found = recognized("California Highway Patrol", "ca_state", home_state="Washington")
    assert found.name == "an agency of California"
    assert recognized("Oakland CA PD", "city", home_state="California") is None
    assert recognized("Phoenix AZ PD", "city", home_state=None) is None  # no state known
