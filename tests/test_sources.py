"""An anonymous source is its noun phrase through its reporting verb, on hand-made news sentences."""

from __future__ import annotations

import pytest

from framespan.boundaries import tidy_spans
from framespan.sources import to_source
from framespan.spans import Span

L = "anonymous_source"


def tidied(text: str, run: str) -> list[Span]:
    """The spans tidying makes of an anonymous-source run over the words ``run`` of ``text``."""
    i = text.index(run)
    return tidy_spans(text, [Span(i, i + len(run), L, 0.9)])


def source(text: str, run: str) -> str:
    """What tidying makes of an anonymous-source run over the words ``run`` of ``text``."""
    spans = tidied(text, run)
    assert len(spans) == 1
    return text[spans[0].start:spans[0].end]


@pytest.mark.parametrize(("text", "run", "expected"), [
    # a run that stops before its verb reaches it, across a relative clause and its commas
    ("Officials familiar with the talks said on Monday that the deal was off.", "Officials familiar",
     "Officials familiar with the talks said"),
    ("Two officials, who asked not to be named because they were not authorised to comment, confirmed "
     "the move.", "Two officials", "Two officials, who asked not to be named because they were not "
     "authorised to comment, confirmed"),
    # a run that went on into what was said stops after the verb; its object stays out
    ("Sources say the information gathered so far is damning.", "Sources say the information",
     "Sources say"),
    ("A former aide told CNN that reports suggesting a rift were wrong.", "A former aide told CNN that",
     "A former aide told"),
    # a run that starts late opens on the noun phrase's determiner; one that starts early drops the
    # clause's words
    ("A senior U.S. diplomat tells Reuters the talks failed.", "diplomat tells", "A senior U.S. diplomat tells"),
    ("The plan collapsed, with one insider claiming it was doomed.", "with one insider claiming",
     "one insider claiming"),
    # a verb in a relative clause, a noun that looks like a verb, a denial and a raising verb are passed
    ("A man who claims he was there says the army fired first.", "A man who claims",
     "A man who claims he was there says"),
    ("The aide familiar with the report said it was rushed.", "The aide familiar with the report",
     "The aide familiar with the report said"),
    ("Insiders, who did not deny the leak, warned of more.", "Insiders", "Insiders, who did not deny the "
     "leak, warned"),
    ("Officials in the ministry are said to have warned him.", "Officials in the ministry",
     "Officials in the ministry are said to have warned"),
    ("A nurse on the ward, who has been warned not to talk, said it was full.", "A nurse on the ward",
     "A nurse on the ward, who has been warned not to talk, said"),
    ("Sources close to the board say as many as 300 names were added.", "Sources close to the board",
     "Sources close to the board say"),  # "say as" reports; "described as" would not
    ("Insiders at the club claim that the manager will go.", "Insiders at the club",
     "Insiders at the club claim"),
    ("A person who was not named said the plan was dead.", "A person", "A person who was not named said"),
    ("An Islamic State fighter\u2019s parents said he died.", "An Islamic State fighter\u2019s parents",
     "An Islamic State fighter\u2019s parents said"),  # a capitalised "State" is a name
    # the first verb wins, unless it is a noun-like form and the run holds a plain verb after it
    ("Insiders claim the minister said nothing.", "Insiders claim", "Insiders claim"),
    # a noun-like form before what was said reports; before a verb it is the noun ("member states")
    ("Insiders claim the minister said nothing.", "Insiders", "Insiders claim"),
    ("EU member states said the deal was off.", "EU member", "EU member states said"),
    ("Officials who said nothing told reporters it was dead.", "Officials who said nothing told",
     "Officials who said nothing told"),
    ("Media reports, citing two aides, have said it is over.", "Media reports, citing two aides, have said",
     "Media reports, citing two aides, have said"),
    # a bare noun phrase with an appositive or a second noun reaches its verb; a headline's capitals
    # are no names; a relative clause with a verb of its own ends before the source's
    ("A police official, a veteran of the force, said it failed.", "A police official",
     "A police official, a veteran of the force, said"),
    ("Officials and diplomats familiar with the talks said it failed.", "Officials",
     "Officials and diplomats familiar with the talks said"),
    ("Sources in state media said it failed.", "Sources in state media", "Sources in state media said"),
    ("Officials Say Talks Failed", "Officials", "Officials Say"),
    ("A source who was there said the minister had admitted it.", "A source", "A source who was there said"),
    ("Two officials said it failed.", "officials said", "Two officials said"),
    ("An anonymous source said the plan failed.", "anonymous source said", "An anonymous source said"),
    ("The deal is off, according to a person familiar with it, who said so.", "person familiar",
     "according to a person familiar"),
    # a verb with its particle; curly quotes around the source keep both marks
    ("One aide pointed out that nothing was signed.", "One aide pointed", "One aide pointed out"),
    ("He cited \u201cmultiple credible sources\u201d told him so.", "multiple credible sources",
     "\u201cmultiple credible sources\u201d told"),
])
def test_an_anonymous_source_runs_from_its_noun_phrase_through_its_verb(text, run, expected):
    assert source(text, run) == expected


@pytest.mark.parametrize(("text", "run"), [
    # verb first, and "according to": where the noun phrase ends only the model says
    ("It will close, said a source close to the team, who told me so.", "said a source close to the team"),
    ("He was, I am told by people close to him, who said so, furious.", "am told by people close to him"),
    ("It failed, according to officials familiar with it, who said so.", "according to officials familiar"),
    # no reporting verb of the source's own within its sentence, but a word that names a source
    ("A source familiar with the matter didn\u2019t say when.", "A source familiar with the matter"),
    ("I am told by people close to him that it failed.", "I am told by people close"),
    # a determiner before a preposition's noun is not the source's, nor one two words before a plural
    ("Over the weekend officials said the plan was dead.", "officials said"),
    ("During the past two days officials said it failed.", "officials said"),
])
def test_a_run_the_rule_cannot_place_is_left_as_it_is(text, run):
    assert source(text, run) == run


@pytest.mark.parametrize(("text", "run"), [
    # no reporting verb of the source's own within its sentence, and no word that names a source
    ("Insiders were worried. They said nothing.", "Insiders"),
    ("Ministers are nervous, one aide said.", "Ministers are nervous"),
    ("Staff were furious and one manager said so.", "Staff were furious"),
    ("\u201cInsiders are nervous about the vote that is coming next week,\u201d a source said.",
     "Insiders are nervous"),
    ("Insiders have been described as nervous.", "Insiders"),  # a description, not a report
    ("Insiders will not be saying so.", "Insiders"),
    ("Scientists know the water has moved.", "know"),
])
def test_a_run_with_no_word_that_reports_is_no_source(text, run):
    assert tidied(text, run) == []


@pytest.mark.parametrize(("text", "run"), [
    ("The war is won, the defence minister told parliament.", "defence minister told"),
    ("Israel\u2019s prime minister said the border was closed.", "prime minister said"),
    ("The foreign ministry said in a statement that the camp was empty.", "foreign ministry said"),
    ("The ministry said in a statement that the camp was empty.", "ministry said"),
])
def test_a_source_named_by_office_or_institution_is_on_the_record(text, run):
    assert tidied(text, run) == []


@pytest.mark.parametrize(("text", "run", "expected"), [
    ("A senior minister said the talks had failed.", "senior minister said", "A senior minister said"),
    ("The minister\u2019s aides said the talks had failed.", "aides said", "aides said"),
    ("The official said the talks had failed.", "official said", "The official said"),
    # a bare office may repeat an unnamed source ("a minister ... the minister said")
    ("The minister said the talks had failed.", "minister said", "The minister said"),
])
def test_an_office_named_without_its_holder_stays_anonymous(text, run, expected):
    assert source(text, run) == expected


@pytest.mark.parametrize("text", ["An unnamed official was seen there.", "An anonymous caller rang twice."])
def test_a_marked_anonymity_stands_for_a_reporting_verb(text):
    run = " ".join(text.split()[:3])
    assert source(text, run) == run


SENTENCES = [
    "Over the past two days officials said the plan was dead.",
    # a verb 16 words on is out of reach of "Insiders" and in reach of what it becomes
    "Insiders claim the minister who runs the finance department in the capital city of the region said nothing.",
    "\u201cThe vote is lost,\u201d one aide said, as \u201cinsiders\u201d told the U.S. envoy Mr. Hale so.",
    "Two officials, who asked not to be named, confirmed that reports of a rift were wrong.",
    "According to people close to him, the king is ill; a doctor who saw him said he was not.",
    "The deal is off, according to a person familiar with the matter, who said talks collapsed.",
    "Sources who said nothing at the time of the vote in the capital last spring now confirm the deal.",
]


@pytest.mark.parametrize("text", SENTENCES)
def test_tidying_a_tidied_source_changes_nothing(text):
    words = text.split(" ")
    for i in range(len(words)):
        for n in range(1, 7):
            run = " ".join(words[i:i + n])
            start = len(" ".join(words[:i])) + (1 if i else 0)
            once = tidy_spans(text, [Span(start, start + len(run), L, 0.9)])
            assert tidy_spans(text, once) == once, run


def test_only_anonymous_sources_take_the_rule():
    text = "Officials familiar with the talks said the regime was finished."
    i = text.index("Officials familiar")
    spans = tidy_spans(text, [Span(i, i + len("Officials familiar"), "appeal_to_authority", 0.9)])
    assert [text[s.start:s.end] for s in spans] == ["Officials familiar"]


def test_to_source_on_an_empty_or_wordless_run_returns_it():
    assert to_source("", 0, 0) == (0, 0)
    assert to_source("\u201c \u201d said.", 0, 3) == (0, 3)
