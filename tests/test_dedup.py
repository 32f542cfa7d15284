"""Near-duplicates: the streaming MinHash API."""

from __future__ import annotations

from pipeline.dedup import N_PERM, NearDuplicates, signature

BODY = " ".join(f"Sentence {i} about the deployment of troops to the region, officials said." for i in range(30))
OTHER = ("The central bank left its main interest rate unchanged on Thursday and said inflation "
         "had eased for a third month, while exports of grain rose faster than analysts expected.")


def test_a_near_copy_is_found_and_an_unrelated_text_is_not():
    finder = NearDuplicates(0.7)
    assert finder.add("wire", "Headline A\n" + BODY) is None
    assert finder.add("other", OTHER) is None
    assert finder.add("copy", "A different headline\n" + BODY + " Reporting by a local desk.") == "wire"
    assert finder.add("copy_of_copy", "Yet another headline\n" + BODY) == "wire"  # resolved to the first
    assert finder.add("unrelated", OTHER.replace("grain", "oil") + " " + OTHER[::-1]) is None
    assert len(finder) == 5


def test_short_texts_are_never_duplicates():
    finder = NearDuplicates(0.7)
    assert finder.add("a", "Breaking news") is None and finder.add("b", "Breaking news") is None
    assert finder.add("empty", "") is None and len(finder) == 0


def test_signature_is_fixed_size_whatever_the_text_length():
    assert signature(BODY).shape == signature(BODY * 50).shape == (N_PERM,)
    assert signature("too short") is None
