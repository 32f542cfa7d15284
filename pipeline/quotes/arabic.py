"""Speech frames in Arabic-script paragraphs, by rules over tokens and the cue lexicon.

Arabic news reports speech in a few fixed shapes, which these rules follow:
verb-subject (وقال الوزير ...: / أن ...), subject-verb (الوزارة أكدت أن ...), a verb with a
dropped subject (وأضاف: ...), an adverbial participle continuing the speaker of its sentence
(مضيفاً أن ...), a verbal-noun object (نفى الوزير وجودَ ...), transmission (نقلت الوكالة عن
المصدر أن ...), "it came in" (وجاء في البيان: ...), "according to" (بحسب / وفقاً لـ), and a cue
after a quotation ("…"، قال المتحدث).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..textnorm import norm_key
from .arabic_phrases import COMMAS, DIACRITICS, MAX_TRAILING_NAME, SOFT_ENDS, TERMINALS, ArabicText, Tok
from .lexicon import Sense
from .model import Frame, Mention, Paragraph, Quote
from .speakers import EntityIndex

GAP_PUNCT = re.compile(r"[^\w\s]")
MAX_REGION = 30
MAX_SUBJECT = 10
NESTED_WINDOW = 8
TOPIC_WINDOW = 8
MAX_HEADLINE_SPEAKER = 5
MIN_HEADLINE_WORDS = 3
# Words that make a noun phrase rather than a verb at the head of a clause.
NOUN_LISTS = ("titles", "ranks", "anonymous", "prepositions", "time_words", "that", "clause_openers", "determiners", "negators",
              "according")


@dataclass
class Intro:
    """Where a cue's content starts: its kind, the token that introduces it and the content's first token."""

    kind: str
    at: int
    content: int
    char_offset: int = 0


class ArabicParagraph(ArabicText):
    """Finds the speech frames of one Arabic-script paragraph."""

    def __init__(self, text: str, para: Paragraph, quotes: list[Quote], entities: EntityIndex):
        super().__init__(text, para, quotes, entities)
        self.frames: list[Frame] = []
        self.by_sentence: dict[int, list[Frame]] = {}

    # ---- subjects before the verb ------------------------------------------------------

    def _preverbal(self, i: int) -> tuple[str, Mention | None]:
        """A subject before the verb.

        ('subject', m); ('comma', m) when set off by a comma ("السلطات، اعترفت"), used only if
        nothing follows the verb; ('pronoun', None) for a pronoun on a clause opener ("لكنه أكد");
        ('none', None); or ('embedded', None) after a noun governed by a preposition or an
        indefinite noun (a relative verb, unless a subject follows it).
        """
        lo, _ = self._sentence_bounds(i)
        k = i - 1
        while k > lo and self._is("auxiliaries", k):
            k -= 1
        if self._pronoun_opener(k):
            return "pronoun", None
        comma = self._punct(k, COMMAS) and self._word(k - 1)
        if comma:
            k -= 1
        words: list[int] = []
        opener = False
        while k >= lo:
            t = self.toks[k]
            if t.kind == "mark":
                k -= 1
                continue
            if t.kind == "punct":
                break
            if self._is("determiners", k) and words:
                words.append(k)
                k -= 1
                continue
            if any(self._is(n, k) for n in ("clause_openers", "verb_particles", "that")):
                opener = True
                break
            if self._is("time_words", k) or (self._is("adverbials", k) and not self._that_at(k - 1)):
                break
            if self._is("prepositions", k) or self._is_cue(k) or self._is("negators", k) or len(words) >= MAX_SUBJECT:
                return ("none" if comma else "embedded"), None
            words.append(k)
            k -= 1
        if not words:
            return self._topic(k) if opener else ("none", None)
        words.reverse()
        words = words[self._subject_start(words) :]
        if not opener and not self._definite(words[0], words[-1] + 1):
            return ("none" if comma else "embedded"), None
        return ("comma" if comma else "subject"), self.mention(words[0], words[-1] + 1, post=False)

    def _subject_start(self, words: list[int]) -> int:
        """Where a subject before the verb starts among `words`: after the last definite word followed by an
        indefinite one ("وأسقطت الدفاعات الجوية طائرة مسيرة قال ..." - a relative verb after an indefinite
        noun), unless a title explains the change ("المتحدث باسم الجيش أفيخاي أدرعي")."""
        if any(self._is("titles", k) or self._is("ranks", k) for k in words):
            return 0
        start = 0
        for n in range(1, len(words)):
            definite, indefinite = self._key(words[n - 1]).startswith(("ال", "وال")), not self._key(words[n]).startswith("ال")
            if definite and indefinite and self.entities.covering(self.toks[words[n]].start) is None:
                start = n
        return start

    def _topic(self, k: int) -> tuple[str, Mention | None]:
        """"أما الحكومة فقد نفت ...": the topic after أما is the subject."""
        if not self._key(k).startswith("ف"):
            return "none", None
        start = k - 1
        while start >= 0 and k - start <= TOPIC_WINDOW and self._word(start) and not self._is("clause_openers", start):
            start -= 1
        if self._key(start) in ("اما", "واما") and start + 1 < k:
            return "subject", self.mention(start + 1, k, post=False)
        return "none", None

    def _clause_subject(self, i: int) -> Mention | None:
        """The subject of a sentence opened by "وكان X قد ..." (for a participle with no cue before it)."""
        lo, _ = self._sentence_bounds(i)
        if self._key(lo) not in ("كان", "كانت", "وكان", "وكانت"):
            return None
        k = lo + 1
        while k < i and self._word(k) and not self._is("auxiliaries", k) and k - lo <= MAX_SUBJECT:
            k += 1
        return self.mention(lo + 1, k, post=False) if self._is("auxiliaries", k) and k > lo + 1 else None

    def _main_subject(self, i: int, sense: Sense) -> Mention | None:
        """The subject of the nearest verb before a cue with no subject of its own, when the two agree.

        "تبنت الجماعة الهجوم في بيان قالت فيه إن ..."، "تبنت الجماعة هجمات قالت إنها ..."، "استدعت الوزارة
        السفير، ووصفت الضربات بأنها ...": a relative or coordinated cue speaks for that subject. The search
        stops at a that-word or another cue (whose own subject may be the one): what lies before is someone else's.
        """
        lo, _ = self._sentence_bounds(i)
        for k in range(i - 1, self._clause_start(lo) - 1, -1):
            if self._in_quote(self.toks[k].start):
                continue
            if self._is("that", k):
                return None
            if self._agrees(k, sense) and self._clause_initial(k, lo):
                end = self._np_extent(k + 1)[0]
                if k + 1 < end <= i and self._definite(k + 1, end):
                    return self.mention(k + 1, end)
            if self._is_cue(k):
                return None
        return None

    def _opening_subject(self, i: int, sense: Sense) -> Mention | None:
        """For an adverbial participle with no cue before it: the subject of the verb opening its sentence, when
        the two agree ("ووصف الوزير الحملة بأنها ناجحة، مشدداً على أنها ...")."""
        lo, _ = self._sentence_bounds(i)
        k = self._clause_start(lo)
        if k + 1 >= i or not self._agrees(k, sense):
            return None
        end = self._np_extent(k + 1)[0]
        return self.mention(k + 1, end) if k + 1 < end <= i and self._definite(k + 1, end) else None

    def _clause_initial(self, k: int, lo: int) -> bool:
        """Token k opens a clause: at the sentence start, after a comma or a clause particle, or with و/ف on it."""
        opened = k <= self._clause_start(lo) or self._punct(k - 1, COMMAS) or self._is("verb_particles", k - 1)
        return opened or (self._key(k)[:1] in ("و", "ف") and len(self._key(k)) > 3)

    def _agrees(self, k: int, sense: Sense) -> bool:
        """Token k reads as a past verb of the cue's gender and number (تبنّت ... قالت، أعلن ... قال)."""
        if not self._word(k) or any(self._is(name, k) for name in NOUN_LISTS):
            return False
        t = self.toks[k]
        if t.key.startswith(("ال", "وال")) or t.text.rstrip(DIACRITICS).endswith("ة") or self.entities.covering(t.start):
            return False
        feminine, plural = t.key.endswith("ت") and not t.key.endswith("ات"), t.key.endswith("وا")
        if sense.number == "pl":
            return plural
        return feminine if sense.gender == "f" else not (feminine or plural)

    def _and_that(self, k: int) -> bool:
        """"وأن"/"وإن" opening a further reported clause (not the concessive "وإن كان")."""
        key = self._key(k)
        return key.startswith("و") and self.lex.has("that", key[1:]) and self._key(k + 1) not in ("كان", "كانت")

    def _coordinated(self, c: int, e: int, offset: int = 0) -> list[tuple[int, int]]:
        """The coordinated that-clauses of the content c..e ("أن ...، وأن ..."), as spans."""
        cuts = [k for k in range(c + 1, e) if self._and_that(k) and not self._in_quote(self.toks[k].start)]
        spans = []
        for n, (a, b) in enumerate(zip([c, *cuts], [*cuts, e])):
            a += 1 if n else 0
            while b > a and self._punct(b - 1, COMMAS):
                b -= 1
            span = self._span(a, b, 0 if n else offset)
            if span is not None:
                spans.append(span)
        return spans

    # ---- intros and contents --------------------------------------------------------

    def _that_at(self, k: int) -> bool:
        """أن/إن introducing reported content (not "دون أن", "بعد أن")."""
        return self._is("that", k) and not self._is("subordinators", k - 1)

    def _find_intro(self, j: int, sense: Sense, np_end: int) -> Intro | None:
        """The first introducer of the content after j: colon, quotation, that-word or the verb's preposition."""
        takes = sense.takes
        k = j
        while k < len(self.toks) and k - j <= MAX_REGION:
            t = self.toks[k]
            if t.kind == "punct":
                if t.text in TERMINALS:
                    return None
                if t.text in SOFT_ENDS and not (self._that_at(k + 1) or self._opens_quote(k + 1) or self._punct(k + 1, ":")):
                    return None
                if t.text == ":":
                    if self._opens_quote(k + 1) and "mark" in takes:
                        return Intro("mark", k + 1, k + 1)
                    return Intro("colon", k, k + 1) if "colon" in takes and not sense.prep else None
            elif t.kind == "mark":
                if t.start in self.opens:
                    return Intro("mark", k, k) if "mark" in takes else None
            else:
                if sense.prep and t.key == sense.prep:
                    if self._that_at(k + 1):
                        return Intro("that", k, k + 2)
                    if self._opens_quote(k + 1) and "mark" in takes:
                        return Intro("mark", k + 1, k + 1)
                    return Intro("np", k, k + 1) if "np" in takes and self._np_start_ok(k + 1) else None
                if sense.prep == "ب" and "np" in takes and k in (j, np_end, self._np_extent(np_end)[0]) and self._attached_b(t):
                    return Intro("np", k, k, 1)
                if self._that_at(k) and "that" in takes:
                    return Intro("that", k, k + 1)
                if k > j and self._clause_cue(k):
                    aside = self._parenthetical(k)
                    if aside is None:
                        return None
                    k = aside
                    continue
            k += 1
        return None

    def _attached_b(self, t: Tok) -> bool:
        """بـ attached to a verbal noun ("اعترف بإصابة ..."): the preposition the verb needs, then its object."""
        if not t.key.startswith("ب") or len(t.key) <= 3 or self.lex.has("that", t.key):
            return False
        return self._masdar_word(Tok(t.start + 1, t.end, t.text[1:], t.key[1:], "word"), strong=True)

    def _colon_end(self, c: int) -> int:
        """Unmarked speech after a colon runs to the paragraph end, or to a sentence that reports speech again."""
        k = c
        while k < len(self.toks):
            if self._punct(k, TERMINALS):
                _, hi = self._sentence_bounds(k + 1)
                if any(self._clause_cue(m) or self._is("according", m) for m in range(k + 1, hi)):
                    return k + 1
            k += 1
        return k

    def _parenthetical(self, k: int) -> int | None:
        """", طلب عدم الكشف عن اسمه،": a clause between commas with no content of its own; the token after it."""
        if not self._punct(k - 1, COMMAS):
            return None
        e = k + 1
        while e < len(self.toks) and e - k <= MAX_SUBJECT and not self.toks[e].kind == "punct":
            if self._is("that", e) or self._opens_quote(e):
                return None
            e += 1
        return e + 1 if self._punct(e, COMMAS) else None

    def _content_end(self, c: int, kind: str, in_parens: bool) -> int:
        """Token index where reported content starting at c ends (exclusive)."""
        k = c
        while k < len(self.toks):
            t = self.toks[k]
            if t.kind == "punct":
                if t.text in TERMINALS or t.text in SOFT_ENDS or (in_parens and t.text == ")"):
                    break
                if t.text in COMMAS and k > c and self._clause_break(k + 1, kind):
                    break
            elif kind == "np" and k > c and (self._is("np_breaks", k) or self._is_cue(k)):
                break  # a circumstance, or a relative report ("أعلنت اعتقال خمسة أشخاص قالت إنهم ...")
            k += 1
        return k

    def _clause_break(self, k: int, kind: str) -> bool:
        """Whether the word after a comma starts a new clause (ending reported content)."""
        if not self._word(k):
            return True
        if self._is_cue(k) or self._is("clause_breaks", k) or self._is("according", k) or self._pronoun_opener(k):
            return True
        if kind == "np":
            key = self.toks[k].key
            return not (self._is("np_continuers", k) or (key.startswith("و") and not self._is("time_words", k)))
        return False

    def _relays(self, sense: Sense | None, speaker: Mention | None) -> bool:
        """The frame passes on someone else's words: a verb of transmission ("نقلت الوكالة عن ...") or a medium
        as the speaker ("ذكرت الصحيفة أن الوزارة أعلنت ..."). Anyone else saying that X announced something
        is the speaker of it all ("أشار المتحدث إلى أن طهران أبلغت بغداد بأن ...")."""
        if sense is not None and sense.source:
            return True
        head = norm_key(speaker.text.split()[0]) if speaker is not None and speaker.text.split() else ""
        return self.lex.has("media_nouns", head) or self.lex.has("media_nouns", head[1:])

    def _nested(self, c: int, e: int) -> bool:
        """True when a that-clause opens with its own reported speech ("أن الوزارة أعلنت أن ...")."""
        for k in range(c, min(e, c + NESTED_WINDOW)):
            if self.toks[k].kind == "punct":
                return False
            if k > c and self._is_cue(k) and not self._negated(k) and self._find_intro(k + 1, self._senses(k)[0], k + 1):
                return True
        return False

    # ---- frames ---------------------------------------------------------------------

    def _frame(self, i: int, speaker: Mention | None, sense: Sense | None, intro: str, content: tuple[int, int] | None,
               antecedent: Frame | None = None) -> Frame:
        """A frame for the cue at token i; a subjectless one takes its verb's number and its antecedent."""
        lo, hi = self._sentence_bounds(i)
        sent = (self.toks[lo].start, self.toks[hi - 1].end if hi > lo else self.toks[lo].end)
        t = self.toks[i]
        frame = Frame("ar", t.text, t.start, t.end, self.para.seg_id, sent, speaker, intro=intro, content=content)
        if sense is not None and speaker is None:
            frame.number = sense.number
            frame.antecedent = antecedent or self._antecedent(i)
        return frame

    def _antecedent(self, i: int) -> Frame | None:
        """The frame a subjectless cue continues: the last one in its sentence, if only a comma or "و" stands between."""
        lo, _ = self._sentence_bounds(i)
        same = [f for f in self.by_sentence.get(self.toks[lo].start, []) if f.intro != "according"]
        if not same:
            return None
        last = same[-1]
        gap = self.text[max(last.end, last.content[1] if last.content else 0) : self.toks[i].start]
        words = [w for w in GAP_PUNCT.sub(" ", norm_key(gap)).split() if w not in ("و", "ثم", "كما") and not self._pronoun_opener_key(w)]
        return None if words else last

    def _comma_antecedent(self, i: int) -> Frame | None:
        """For an adverbial participle after a comma ("...، ومؤكداً أنه"): the last frame of its sentence, whatever stands between."""
        if not self._punct(i - 1, COMMAS):
            return None
        lo, _ = self._sentence_bounds(i)
        same = [f for f in self.by_sentence.get(self.toks[lo].start, []) if f.intro != "according"]
        return same[-1] if same else None

    def _span(self, c: int, e: int, offset: int = 0) -> tuple[int, int] | None:
        """Document offsets of tokens c..e (exclusive), or None when empty."""
        if e <= c:
            return None
        return self.toks[c].start + offset, self.toks[e - 1].end

    def _after_quote(self, i: int) -> bool:
        """The cue follows a closing quotation mark ("…"، قال)."""
        k = i - 1
        if self._punct(k, COMMAS):
            k -= 1
        return k >= 0 and self.toks[k].kind == "mark" and self.toks[k].start in self.closes

    def _subordinate(self, i: int) -> bool:
        """A cue inside "دون أن"/"بعد أن"/"قبل أن": circumstance, not a report."""
        return self._is("that", i - 1) and self._is("subordinators", i - 2)

    def _cue_frame(self, i: int, sense: Sense) -> tuple[Frame | None, int]:
        """The frame of the cue at token i read as `sense`, and the token to resume scanning at."""
        if sense.slot == "masdar" or self._negated(i) or self._subordinate(i):
            return None, i + 1
        j = self._skip_adverbials(i + 1)
        if sense.slot == "participle":
            return self._participle_frame(i, j, sense)
        if not self._prefixed(i) and self._after_quote(i):
            end = j
            while self._word(end):
                end += 1
            return self._frame(i, self.mention(j, end), sense, "after", None), end
        status, before = ("none", None) if self._prefixed(i) else self._preverbal(i)
        if sense.source:
            return self._source_frame(i, i + 1 if sense.source == "في" else j, sense, before)
        subject = before if status == "subject" else None
        implicit = subject is None and self._is("masdar_words", j)
        np_end, after = (j, j) if subject or implicit else self._np_extent(j)
        after = self._skip_adverbials(after)
        addressed = sense.addressee is not None and self._key(after) == sense.addressee
        if addressed:
            after = self._skip_adverbials(self._np_extent(after + 1)[0])
        intro = self._find_intro(j, sense, np_end)
        if intro is not None and "np" in sense.takes and intro.kind != "np" and j < after < intro.at and self._masdar_like(after, True):
            intro = None
        if intro is None:
            return self._np_frame(i, j, sense, subject, (np_end, after), implicit, addressed or not sense.addressee)
        region_end = np_end if intro.kind == "np" and intro.char_offset and intro.at > j else intro.at
        second = j < after < intro.at and self._np_start_ok(after)
        if (sense.prep or sense.object) and second:
            region_end = after  # an object between the speaker and the content ("دعا الوزير الحكومة إلى")
        found = None if subject else self.mention(j, region_end)
        if sense.object and not second and found is not None and found.kind == "body" and self._dangling(i):
            found = None  # mid-sentence, a lone noun after a verb with an object is that object ("...، ووصفت الضربات بأنها")
        speaker = subject or found or (before if status == "comma" else None)
        if speaker is None and status != "pronoun" and (status == "embedded" or self._impersonal(i) or self._dangling(i)):
            speaker = None if self._impersonal(i) or (self._prefixed(i) and intro.kind == "np") else self._main_subject(i, sense)
            if speaker is None:
                return None, i + 1
        return self._with_content(i, sense, speaker, intro)

    def _dangling(self, i: int) -> bool:
        """A subjectless cue in mid-sentence with no cue before it: its subject is some other verb's."""
        lo, _ = self._sentence_bounds(i)
        first = lo
        while first < i and not self._word(first):
            first += 1
        return first < i and self._antecedent(i) is None

    def _np_frame(self, i: int, j: int, sense: Sense, subject: Mention | None, extent: tuple[int, int], implicit: bool,
                  addressed: bool) -> tuple[Frame | None, int]:
        """A verbal-noun object with no introducer: "نفى الوزير وجودَ ...", "العراق ينفي دخولَ ...".

        After the verb comes either the speaker and then the object, or (with a dropped subject,
        "... وتؤكد استمرارَ ...") the object at once.
        """
        if "np" not in sense.takes or sense.prep or not addressed:
            return None, i + 1
        np_end, after = extent
        speaker, c = subject, j
        if subject is None and not implicit and not self._masdar_like(after):
            np_end, after = self._trailing_name(j, np_end, after)
        if subject is None and not implicit:
            if self._definite(j, np_end) and self._np_start_ok(after) and self._masdar_like(after):
                speaker, c = self.mention(j, after), after
            elif not (self._prefixed(i) and not self._dangling(i) and self._masdar_like(j, True)):
                return None, i + 1
        if not self._np_start_ok(c) or not self._masdar_like(c):
            return None, i + 1
        return self._with_content(i, sense, speaker, Intro("np", c, c))

    def _trailing_name(self, j: int, np_end: int, after: int) -> tuple[int, int]:
        """"نفى المتحدث باسم الخارجية ناصر كنعاني أيَّ صلة": a name (up to three words) after a title, then the object."""
        if not any(self._is("titles", k) or self._is("ranks", k) for k in range(j, np_end)):
            return np_end, after
        k = after
        while k - after < MAX_TRAILING_NAME and self._np_start_ok(k) and not self._key(k).startswith("ال") and not self._masdar_like(k, True):
            k += 1
        return (k, k) if k > after and self._masdar_like(k, True) else (np_end, after)

    def _participle_frame(self, i: int, j: int, sense: Sense) -> tuple[Frame | None, int]:
        """مضيفاً / مؤكداً أن ...: continues the speaker of its sentence; what follows it is its object, not a speaker."""
        intro = self._find_intro(j, sense, j)
        if intro is None and "np" in sense.takes and not sense.prep and self._masdar_like(j):
            intro = Intro("np", j, j)
        if intro is None:
            return None, i + 1
        antecedent = self._antecedent(i) or self._comma_antecedent(i)
        if antecedent is None:
            subject = self._clause_subject(i) or self._opening_subject(i, sense)
            if subject is None:
                return None, i + 1
            return self._with_content(i, sense, subject, intro)
        return self._with_content(i, sense, None, intro, antecedent)

    def _impersonal(self, i: int) -> bool:
        """A passive reporting form with no subject and nothing before it in its sentence ("يُذكر أن")."""
        key = self.toks[i].key
        bare = key[1:] if self._prefixed(i) else key
        lo, _ = self._sentence_bounds(i)
        alone = not self.by_sentence.get(self.toks[lo].start)
        return self.lex.has("impersonal", bare) and alone

    def _with_content(self, i: int, sense: Sense | None, speaker: Mention | None, intro: Intro,
                      antecedent: Frame | None = None) -> tuple[Frame | None, int]:
        """The frame with its content span for the intro, and where scanning resumes."""
        if intro.kind == "mark":
            quote = self.opens[self.toks[intro.at].start]
            return self._frame(i, speaker, sense, "mark", quote.outer, antecedent), intro.at
        if intro.kind == "colon":
            stop = self._colon_end(intro.content)
            last = stop
            while last > intro.content and self.toks[last - 1].kind != "word":
                last -= 1
            return self._frame(i, speaker, sense, "colon", self._span(intro.content, last), antecedent), stop
        in_parens = any(self._punct(k, "(") for k in range(max(0, i - 3), i))
        e = self._content_end(intro.content, intro.kind, in_parens)
        if intro.kind == "that" and self._relays(sense, speaker) and self._nested(intro.content, e):
            return None, intro.content
        frame = self._frame(i, speaker, sense, intro.kind, self._span(intro.content, e, intro.char_offset), antecedent)
        frame.parts, frame.apart = self._coordinated(intro.content, e, intro.char_offset), True
        return frame, e

    def _source_frame(self, i: int, j: int, sense: Sense, reporter: Mention | None) -> tuple[Frame | None, int]:
        """نقل عن X ... / جاء في X: the speaker is the source named after the preposition."""
        k = j
        while k < len(self.toks) and k - j <= MAX_SUBJECT and self._key(k) != sense.source:
            if self._punct(k, TERMINALS + ":") or self._that_at(k) or self._opens_quote(k) or (sense.source == "في" and k > j):
                break
            k += 1
        plain = Sense(sense.lemma, sense.slot, None, None, sense.takes - {"np"})
        if self._key(k) != sense.source:
            if sense.source == "في":
                return None, i + 1
            speaker = reporter or self.mention(j, self._np_extent(j)[0])
            intro = self._find_intro(j, plain, j)
            return (self._with_content(i, sense, speaker, intro) if intro and speaker else (None, i + 1))
        s0 = k + 1
        e = s0
        reporter = reporter or (self.mention(j, k) if sense.source != "في" else None)
        while e < len(self.toks) and e - s0 <= MAX_REGION:
            if any(s.slot == "masdar" for s in self._senses(e)):
                after = self._find_intro(e + 1, plain, e + 1) if not self._masdar_like(e + 1) else None
                intro = after if after is not None and after.at == e + 1 else Intro("np", e, e + 1)
                return self._reported_by(self._with_content(i, sense, self.mention(s0, e), intro), reporter)
            if self._punct(e, TERMINALS) or self._is_cue(e):
                break
            e += 1
        intro = self._find_intro(s0, plain, s0)
        if intro is None:
            return None, i + 1
        return self._reported_by(self._with_content(i, sense, self.mention(s0, intro.at), intro), reporter)

    @staticmethod
    def _reported_by(found: tuple[Frame | None, int], reporter: Mention | None) -> tuple[Frame | None, int]:
        """Record who transmitted the report (the agency in "نقلت الوكالة عن ...")."""
        if found[0] is not None:
            found[0].reporter = reporter
        return found

    def _according_frame(self, i: int) -> tuple[Frame | None, int]:
        """بحسب X / وفقاً لـX / وفق ما ذكرته X / على ما أفادت X / نقلاً عن X: a source for the clause around it.

        The clause is reported speech when a speech verb names the saying ("وفق ما أعلنته") or X is a source
        that speaks: a person, a body, a medium or a statement ("بحسب البيان"); not a rule ("وفقاً للدستور"),
        a document or a count ("بحسب حصيلة ...").
        """
        k = i + 1
        said = False
        if self._key(k) in ("ما", "لما") and self._word(k + 1):
            said = self._says(k + 1)
            k += 2
            while self._is("prepositions", k):
                k += 1
        elif self._key(k) == "عن":
            k += 1
        offset = 0
        if self._key(k) in ("ل", "لـ"):
            k += 1
        elif self._word(k) and self._key(k).startswith("ل") and (self._is("according", i) and self._key(i).endswith("ا")):
            offset = 1
        end = k
        while end < len(self.toks) and not self._punct(end, COMMAS + TERMINALS + SOFT_ENDS + ":") and end - k <= MAX_SUBJECT:
            end += 1
        if not self._punct(end, COMMAS):
            end = self._np_extent(k)[0]
        speaker = self.mention(k, end, post=False)
        if speaker is None:
            return None, i + 1
        if offset and speaker.start == self.toks[k].start:
            speaker.text, speaker.start = speaker.text[1:], speaker.start + 1
        lo, _ = self._sentence_bounds(i)
        content = None
        if i == lo and self._punct(end, COMMAS):
            c = end + 1
            while self._is("that", c) or self._key(c) in ("فان", "فانه", "فانها"):
                c += 1
            e = self._content_end(c, "that", False)
            # "وفقاً لـX، فإن السلطات، اعترفت ...": X passes on another report, which is read on its own.
            relayed = self._is_cue(e + 1 if self._punct(e, COMMAS) else e)
            content = None if relayed else self._span(c, e)
        elif i > lo:
            content = self._span(self._clause_before(lo, i), i - 1 if self._punct(i - 1, COMMAS) else i)
        frame = self._frame(i, speaker, None, "according", content)
        frame.reports = said or speaker.kind != "body" or self._source_phrase(k, end)
        return frame, end

    def _clause_before(self, lo: int, i: int) -> int:
        """The first token of the clause an "according to" at i closes: after a dateline, an opening
        adverbial, or the last comma that starts a new clause ("...، حيث قُتل 20 شخصاً بحسب ...")."""
        start = self._clause_start(lo)
        for m in range(start, i - 1):
            if self._punct(m, COMMAS) and self._is("clause_breaks", m + 1):
                if not any(self._is(name, m + 1) for name in ("prepositions", "adverbial_preps", "according")):
                    start = m + 2
        return start

    def _according_at(self, i: int) -> bool:
        """An "according to" word (نقلاً only with عن after it; على only in "على ما أفادت")."""
        if self._is("as_words", i) and self._key(i + 1) == "ما":
            return self._says(i + 2)
        return self._is("according", i) and (self._key(i).lstrip("وفب") != "نقلا" or self._key(i + 1) == "عن")

    def _headline_frame(self) -> tuple[Frame | None, int]:
        """"اللواء يحيى رسول: ..." - a paragraph opening with a speaker and a colon reports what follows it."""
        colon = next((k for k in range(min(len(self.toks), MAX_HEADLINE_SPEAKER + 1)) if self.toks[k].kind != "word"), None)
        if not colon or not self._punct(colon, ":"):
            return None, 0
        speaker = self.mention(0, colon, post=False)
        if speaker is None or (speaker.kind == "body" and not self._source_phrase(0, colon)) or self._label(0, colon):
            return None, 0
        frame, resume = self._with_content(colon, None, speaker, Intro("colon", colon, colon + 1))
        content = self.text[frame.content[0] : frame.content[1]].split() if frame and frame.content else []
        return (frame, resume) if len(content) >= MIN_HEADLINE_WORDS else (None, 0)

    def _label(self, a: int, b: int) -> bool:
        """A lone definite source word before a colon is a label ("المصدر: وكالة ..."), not a speaker."""
        key = self._key(a)
        return b == a + 1 and key.startswith("ال") and self.lex.has("anonymous", key[2:])

    def find(self) -> list[Frame]:
        """All frames of the paragraph, left to right."""
        frame, i = self._headline_frame()
        if frame is not None:
            self.frames.append(frame)
            self.by_sentence.setdefault(frame.sent[0], []).append(frame)
        while i < len(self.toks):
            t = self.toks[i]
            frame, resume = None, i + 1
            if t.kind == "word" and not self._in_quote(t.start):
                if self._according_at(i):
                    frame, resume = self._according_frame(i)
                for sense in self._senses(i) if frame is None else ():
                    frame, resume = self._cue_frame(i, sense)
                    if frame is not None:
                        break
            if frame is not None:
                self.frames.append(frame)
                self.by_sentence.setdefault(frame.sent[0], []).append(frame)
            i = max(resume, i + 1)
        return self.frames


def arabic_frames(text: str, para: Paragraph, quotes: list[Quote], entities: EntityIndex) -> list[Frame]:
    """Speech frames of an Arabic-script paragraph."""
    return ArabicParagraph(text, para, quotes, entities).find()
