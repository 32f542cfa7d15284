"""Troop and casualty figures (pipeline.figures): value, category, qualifier, actor, location.

Every sentence here is written for these tests. Each row lists the figures expected in
the sentence as (value, category, qualifier), in order; distractor rows expect none.
"""

from __future__ import annotations

import pytest

from pipeline import figures
from pipeline.figures import find_figures
from pipeline.textnorm import norm_key

KEYS = {"start", "end", "text", "value", "low", "high", "category", "qualifier", "actor", "actor_entity_id", "location",
        "location_entity_id"}


@pytest.fixture(autouse=True)
def no_catalog(monkeypatch):
    """Tests do not depend on the entity catalog's data; actor tests install their own."""
    monkeypatch.setattr(figures, "_catalog", lambda: None)


def _triples(rows: list[dict]) -> list[tuple[float, str, str]]:
    return [(r["value"], r["category"], r["qualifier"]) for r in rows]


EN = [
    # troops
    ("The Pentagon ordered 2,000 troops to prepare for a possible deployment.", [(2000, "troops", "exact")]),
    ("About 900 American soldiers remain in Syria.", [(900, "troops", "approx")]),
    ("Roughly 2,500 U.S. troops are stationed in Iraq.", [(2500, "troops", "approx")]),
    ("Up to 1,500 additional troops could be sent to the Middle East.", [(1500, "troops", "max")]),
    ("The United States keeps fewer than 3,000 soldiers in the country.", [(3000, "troops", "max")]),
    ("The plan allows no more than 500 troops in the country.", [(500, "troops", "max")]),
    ("Hundreds of Marines arrived aboard the amphibious ships.", [(100, "troops", "min")]),
    ("In 2020, the U.S. had 5,200 troops in Iraq.", [(5200, "troops", "exact")]),
    ("Washington plans to withdraw about 2,500 troops from Iraq by 2026.", [(2500, "troops", "approx")]),
    ("A brigade of 4,000 soldiers deployed to Kuwait last month.", [(4000, "troops", "exact")]),
    ("Israel has mobilised 300,000 reservists since the war began.", [(300000, "troops", "exact")]),
    ("Some two thousand five hundred service members took part in the exercise.", [(2500, "troops", "approx")]),
    ("The base hosts at least 350 military personnel.", [(350, "troops", "min")]),
    ("Several thousand troops are on standby in Kuwait.", [(1000, "troops", "min")]),
    # killed
    ("Three U.S. service members were killed in a drone strike on a base in Jordan.", [(3, "killed", "exact")]),
    ("At least 12 people were killed when a rocket hit the market.", [(12, "killed", "min")]),
    ("The health ministry said the death toll had risen to 34.", [(34, "killed", "exact")]),
    ("Two soldiers died of their wounds on Tuesday.", [(2, "killed", "exact")]),
    ("Some 26,700 Palestinians have been killed since the war began.", [(26700, "killed", "approx")]),
    ("Nearly 60 people lost their lives in the floods.", [(60, "killed", "approx")]),
    ("Israeli strikes killed more than 40 people overnight.", [(40, "killed", "min")]),
    ("Between 20 and 30 fighters were killed in the clashes.", [(20, "killed", "min")]),
    ("These three fallen heroes served in the 82nd Airborne Division.", [(3, "killed", "exact")]),
    ("The gunmen killed seven soldiers at a checkpoint.", [(7, "killed", "exact")]),
    ("The bombing left dozens dead.", [(12, "killed", "min")]),
    ("Officials confirmed the deaths of four contractors.", [(4, "killed", "exact")]),
    # injured
    ("More than 40 were injured in the attack, officials said.", [(40, "injured", "min")]),
    ("Dozens of civilians were wounded in the shelling.", [(12, "injured", "min")]),
    ("Four sailors suffered minor injuries during the incident.", [(4, "injured", "exact")]),
    ("Thirty-four service members were diagnosed with traumatic brain injuries after the missile attack.",
     [(34, "injured", "exact")]),
    ("A dozen soldiers were hurt in the rocket attack.", [(12, "injured", "exact")]),
    ("Officials said 18 of the wounded were flown to Germany.", [(18, "injured", "exact")]),
    ("Only one soldier was wounded.", [(1, "injured", "exact")]),
    # both, and mixed
    ("The strike killed five militants and wounded two civilians.", [(5, "killed", "exact"), (2, "injured", "exact")]),
    ("Five people were killed and 20 others were wounded in the blast.", [(5, "killed", "exact"), (20, "injured", "exact")]),
    ("One official said three soldiers were killed.", [(3, "killed", "exact")]),
    ("The casualties included 12 civilians.", [(12, "other", "exact")]),
    ("Aid workers evacuated 150 civilians from the town.", [(150, "other", "exact")]),
    ("The raid freed four hostages but killed at least 274 people.", [(4, "other", "exact"), (274, "killed", "min")]),
    # elliptical and dependent figures
    ("There are about 2,500 American service members in Iraq and 900 in Syria.",
     [(2500, "troops", "approx"), (900, "troops", "exact")]),
    ("At least 70 Palestinians were killed overnight, bringing the total to more than 25,000.",
     [(70, "killed", "min"), (25000, "killed", "min")]),
    ("At least eight civilians, including three children, were killed in the airstrike.",
     [(8, "killed", "min"), (3, "killed", "exact")]),
    ("Three crew members were killed and at least four others wounded.", [(3, "killed", "exact"), (4, "injured", "min")]),
    ("Five American service members were injured, one of them seriously.", [(5, "injured", "exact")]),
    ("Two Filipino seafarers were among the dead.", [(2, "killed", "exact")]),
    ("Another 900 or so are deployed in neighboring Syria.", [(900, "troops", "approx")]),
    ("The number of U.S. troops in Iraq has fallen to about 2,500.", [(2500, "troops", "approx")]),
    ("Eight U.S. troops suffered concussions in the attack.", [(8, "injured", "exact")]),
    ("The bombing left four militants dead, the army said.", [(4, "killed", "exact")]),
    # distractors: money, dates, ages, counts of things, percentages, ordinals, phone numbers
    ("The Pentagon announced a $156 million aid package.", []),
    ("The war began after the attack on October 7, 2023.", []),
    ("Sgt. William Rivers, 46, was among the soldiers from Georgia.", []),
    ("Militias launched more than 150 attacks on U.S. bases since October.", []),
    ("The drone flew 30 kilometers before it struck the base.", []),
    ("Support for the mission fell to 35 percent.", []),
    ("Iran fired 12 ballistic missiles at two bases in Iraq.", []),
    ("The operation lasted three days.", []),
    ("He was the third soldier to die this year.", []),
    ("For more information call 202-555-0147.", []),
    ("The coalition brings together 80 countries.", []),
    ("A 35-year-old soldier was on duty that night.", []),
    ("The Houthis launched 18 drones and two cruise missiles.", []),
    ("Kirby, 61, told reporters the review would take weeks.", []),
    ("The F-16 squadron flew 40 sorties.", []),
    ("The 3rd Infantry Division returned home.", []),
    ("Congress approved $2.5 billion for the deployment.", []),
    ("One of the injured was flown to Germany.", []),
    ("Two Iraqi security officials said the rockets were fired from a truck.", []),
    ("The government has fallen to 20 seats in parliament.", []),
]


@pytest.mark.parametrize(("text", "expected"), EN)
def test_english(text, expected, en_nlp):
    rows = find_figures(text, "en", [], en_nlp)
    assert _triples(rows) == expected


FR = [
    ("Trois soldats américains ont été tués dans une attaque de drone en Jordanie.", [(3, "killed", "exact")]),
    ("Au moins 40 personnes ont été blessées.", [(40, "injured", "min")]),
    ("La France déploie environ 2 500 militaires au Sahel.", [(2500, "troops", "approx")]),
    ("L'attaque a fait 12 morts et 30 blessés.", [(12, "killed", "exact"), (30, "injured", "exact")]),
    ("Plus de 26 700 Palestiniens ont été tués depuis le début de la guerre.", [(26700, "killed", "min")]),
    ("Des centaines de soldats sont arrivés à Bagdad.", [(100, "troops", "min")]),
    ("Deux mille cinq cents soldats sont stationnés en Irak.", [(2500, "troops", "exact")]),
    ("Une dizaine de militaires ont été blessés.", [(10, "injured", "approx")]),
    ("Jusqu'à 1 500 soldats supplémentaires pourraient être envoyés.", [(1500, "troops", "max")]),
    ("Moins de 900 soldats américains restent en Syrie.", [(900, "troops", "max")]),
    ("Le bilan s'élève à 34 morts.", [(34, "killed", "exact")]),
    ("Cinq civils ont perdu la vie dans le bombardement.", [(5, "killed", "exact")]),
    ("Quatre soldats ont été légèrement blessés.", [(4, "injured", "exact")]),
    ("Les rebelles ont tué sept soldats près de la frontière.", [(7, "killed", "exact")]),
    ("Près de 3 000 militaires français participent à l'opération.", [(3000, "troops", "approx")]),
    ("Le Liban, où plus de 2 100 personnes ont été tuées depuis octobre 2023, attend la conférence.",
     [(2100, "killed", "min")]),
    ("Deux Casques bleus indonésiens ont été blessés jeudi.", [(2, "injured", "exact")]),
    ("La France compte quelque 10 000 casques bleus au Liban.", [(10000, "troops", "approx")]),
    ("Des dizaines de civils ont été blessés dans le bombardement.", [(10, "injured", "min")]),
    ("Un millier de soldats ont été déployés à la frontière.", [(1000, "troops", "approx")]),
    ("Entre 20 et 30 combattants ont été tués dans les affrontements.", [(20, "killed", "min")]),
    ("Vingt et un militaires ont été blessés.", [(21, "injured", "exact")]),
    ("Plusieurs milliers de soldats sont mobilisés.", [(1000, "troops", "min")]),
    ("L'explosion a fait au moins 8 morts, dont trois enfants.", [(8, "killed", "min"), (3, "killed", "exact")]),
    ("Le Pentagone a annoncé une aide de 156 millions de dollars.", []),
    ("Le budget atteint 2,5 milliards d'euros.", []),
    ("Le sergent, âgé de 46 ans, servait en Irak.", []),
    ("Le 3e régiment de parachutistes est rentré en France.", []),
    ("Les soldats ont parcouru 30 kilomètres.", []),
    ("L'attaque a eu lieu le 7 octobre 2023.", []),
    ("Les milices ont mené 150 attaques contre des bases américaines.", []),
    ("La mission dure depuis trois ans.", []),
    ("Le taux de participation a atteint 35 %.", []),
    ("Les Houthis ont lancé 18 drones et deux missiles.", []),
]


@pytest.mark.parametrize(("text", "expected"), FR)
def test_french(text, expected, fr_nlp):
    rows = find_figures(text, "fr", [], fr_nlp)
    assert _triples(rows) == expected


AR = [
    # troops
    ("تنشر الولايات المتحدة نحو 2500 جندي في العراق.", [(2500, "troops", "approx")]),
    ("أرسلت واشنطن ألفي جندي إضافي إلى المنطقة.", [(2000, "troops", "exact")]),
    ("يبلغ عدد القوات الأمريكية في سوريا حوالي 900 عسكري.", [(900, "troops", "approx")]),
    ("وصل 1500 جندي أمريكي إلى قاعدة عين الأسد.", [(1500, "troops", "exact")]),
    ("تضم القاعدة قرابة 400 مستشار عسكري.", [(400, "troops", "approx")]),
    ("تحتفظ واشنطن بما لا يقل عن 2500 جندي في العراق.", [(2500, "troops", "min")]),
    ("نشرت تركيا عشرات الآلاف من الجنود على الحدود.", [(10000, "troops", "min")]),
    ("يتمركز زهاء ألف جندي أمريكي في شمال شرق سوريا.", [(1000, "troops", "approx")]),
    ("تعتزم واشنطن سحب أقل من 500 جندي.", [(500, "troops", "max")]),
    ("يسمح الاتفاق ببقاء ما لا يزيد على 500 جندي.", [(500, "troops", "max")]),
    ("أرسلت الوزارة ما يزيد على 500 جندي.", [(500, "troops", "min")]),
    ("شارك 3 آلاف عنصر في المناورات.", [(3000, "troops", "exact")]),
    ("نشرت إسرائيل 300 ألف جندي احتياط.", [(300000, "troops", "exact")]),
    ("يذكر أن القوات الأمريكية قوامها خمسة آلاف جندي.", [(5000, "troops", "exact")]),
    ("أرسل الجيش ٢٥٠٠ جندي إلى الحدود.", [(2500, "troops", "exact")]),
    ("كان الجنود الثلاثة في دورية.", [(3, "troops", "exact")]),
    ("ينتشر في البلاد ما يقارب ثلاثة آلاف وخمسمائة جندي.", [(3500, "troops", "approx")]),
    # killed
    ("أعلن البنتاغون مقتل ثلاثة جنود أمريكيين في هجوم بطائرة مسيرة على قاعدة في الأردن.", [(3, "killed", "exact")]),
    ("قُتل خمسة عناصر من الحشد الشعبي في غارة جوية.", [(5, "killed", "exact")]),
    ("ارتفعت حصيلة القتلى إلى 45 قتيلا.", [(45, "killed", "exact")]),
    ("لقي ثلاثة جنود حتفهم في الهجوم.", [(3, "killed", "exact")]),
    ("أكثر من 26 ألف فلسطيني استشهدوا منذ بداية الحرب.", [(26000, "killed", "min")]),
    ("أعلنت وزارة الصحة ارتفاع عدد الشهداء إلى 34 ألفا.", [(34000, "killed", "exact")]),
    ("أكدت المصادر وفاة ستة أشخاص.", [(6, "killed", "exact")]),
    ("أدت الغارة إلى استشهاد خمسة مدنيين بينهم طفلان.", [(5, "killed", "exact")]),
    ("أسفر الانفجار عن مقتل ما لا يقل عن عشرين شخصا.", [(20, "killed", "min")]),
    # injured
    ("أصيب 12 جنديا بجروح طفيفة.", [(12, "injured", "exact")]),
    ("بلغ عدد المصابين 120 مصابا.", [(120, "injured", "exact")]),
    ("نقل الجرحى الستة إلى المستشفى.", [(6, "injured", "exact")]),
    ("قُتل ضابطان وأصيب ثلاثة جنود.", [(3, "injured", "exact")]),
    ("أصيب نحو ٣٠ عسكريا في الهجوم الصاروخي.", [(30, "injured", "approx")]),
    # both, and mixed
    ("أسفر القصف عن استشهاد 20 شخصاً وإصابة 34 آخرين.", [(20, "killed", "exact"), (34, "injured", "exact")]),
    ("سقط 30 قتيلا و50 جريحا في الانفجار.", [(30, "killed", "exact"), (50, "injured", "exact")]),
    ("قتل 3 جنود وأصيب 5 آخرون.", [(3, "killed", "exact"), (5, "injured", "exact")]),
    ("خلف الهجوم عشرات القتلى والجرحى.", [(10, "other", "min")]),
    ("تسبب الهجوم في مقتل وإصابة 15 شخصا.", [(15, "other", "exact")]),
    ("سقط 40 شخصا بين قتيل وجريح.", [(40, "other", "exact")]),
    ("أجلت السلطات 200 مدني من القرية.", [(200, "other", "exact")]),
    # elliptical and dependent figures
    ("يوجد نحو 2500 عسكري أمريكي في العراق و900 في سوريا.", [(2500, "troops", "approx"), (900, "troops", "exact")]),
    ("ارتقى 70 شهيدا خلال الليل ليرتفع العدد الإجمالي إلى أكثر من 25 ألفا.", [(70, "killed", "exact"), (25000, "killed", "min")]),
    ("قُتل تسعة جنود وستة مدنيين على الأقل.", [(9, "killed", "exact"), (6, "killed", "min")]),
    ("قال إن 16 شخصاً، بينهم مدنيون، قُتلوا في الضربات.", [(16, "killed", "exact")]),
    ("يرتفع عدد المقاتلين الذين قتلوا منذ بدء المواجهات إلى أكثر من 140 مقاتلا.", [(140, "killed", "min")]),
    ("وقالت مصادر إن ضربة جوية أودت بحياة 12 عنصرا من الفصيل.", [(12, "killed", "exact")]),
    ("لقي أحد عشر جنديا عراقيا حتفهم إثر انفجار عبوة ناسفة.", [(11, "killed", "exact")]),
    ("نشر البنتاغون 2000 من مشاة البحرية في شرق المتوسط.", [(2000, "troops", "exact")]),
    ("أسفرت الضربات عن مقتل 23 عنصرا على الأقل من المجموعات الموالية لإيران.", [(23, "killed", "min")]),
    ("أصيب خمسة جنود، حالة اثنين منهم خطيرة.", [(5, "injured", "exact")]),
    # distractors
    ("خصصت الإدارة 156 مليون دولار لبرنامج التدريب.", []),
    ("اندلعت الحرب في 7 أكتوبر/تشرين الأول 2023.", []),
    ("شنت الفصائل أكثر من 150 هجوما على القواعد الأمريكية.", []),
    ("أطلق الحوثيون 18 طائرة مسيرة وصاروخين.", []),
    ("دخلت القوات الأمريكية سوريا عام 2015.", []),
    ("استمرت العملية ثلاثة أيام.", []),
    ("تراجعت نسبة المشاركة إلى 35 بالمئة.", []),
    ("تراجعت نسبة المشاركة إلى 35%.", []),
    ("يضم التحالف نحو 80 دولة.", []),
    ("للاستفسار اتصلوا على الرقم 0096415551234.", []),
    ("قال أحد الجنود إن الوضع هادئ.", []),
    ("أصيب بعض العناصر بجروح خطيرة.", []),
    ("حكم عليه بالسجن 15 عاما.", []),
    ("شهدت السنوات العشر الماضية هجمات كثيرة.", []),
    ("تصاعدت الهجمات خلال الأشهر الثلاثة الماضية.", []),
    ("نشر التقرير بتاريخ 07/01/2020.", []),
    ("توفي الجندي عن عمر 24 عاما.", []),
    ("وصلت الشحنة الثالثة من الأسلحة.", []),
    ("شيع الآلاف جثامين الضحايا في المدينة.", []),
    ("تسلم العراق 12 طائرة مقاتلة من طراز إف-16.", []),
]


@pytest.mark.parametrize(("text", "expected"), AR)
def test_arabic(text, expected):
    assert _triples(find_figures(text, "ar", [])) == expected


FA = [
    ("سه سرباز آمریکایی در حمله پهپادی کشته شدند.", [(3, "killed", "exact")]),
    ("آمریکا حدود ۲۵۰۰ نیرو در عراق دارد.", [(2500, "troops", "approx")]),
    ("در این حمله ۲۰ نفر کشته و ۳۴ نفر زخمی شدند.", [(20, "killed", "exact"), (34, "injured", "exact")]),
    ("دست کم ۱۲ غیرنظامی جان باختند.", [(12, "killed", "min")]),
    ("بیش از ۴۰ نفر مجروح شدند.", [(40, "injured", "min")]),
    ("پنج هزار سرباز به منطقه اعزام شدند.", [(5000, "troops", "exact")]),
    ("آمریکا ۱۵۰۰ سرباز دیگر به خاورمیانه می\u200cفرستد.", [(1500, "troops", "exact")]),
    ("صدها نفر زخمی شدند.", [(100, "injured", "min")]),
    ("ده\u200cها سرباز در این عملیات شرکت داشتند.", [(10, "troops", "min")]),
    ("دو هزار و پانصد نیروی آمریکایی در سوریه هستند.", [(2500, "troops", "exact")]),
    ("تقریبا ۹۰۰ سرباز آمریکایی در سوریه مستقر هستند.", [(900, "troops", "approx")]),
    ("حداکثر ۳۰۰ مستشار نظامی در این پایگاه حضور دارند.", [(300, "troops", "max")]),
    ("۳ تن از نیروهای امنیتی شهید شدند.", [(3, "killed", "exact")]),
    ("یک سرباز زخمی شد.", [(1, "injured", "exact")]),
    ("حداقل ۸ نفر از جمله سه کودک کشته شدند.", [(8, "killed", "min"), (3, "killed", "exact")]),
    ("بین ۲۰ تا ۳۰ نفر در درگیری‌ها کشته شدند.", [(20, "killed", "min")]),
    ("هزاران سرباز در مرز مستقر شده‌اند.", [(1000, "troops", "min")]),
    ("سیصد نظامی آمریکایی در این پایگاه حضور دارند.", [(300, "troops", "exact")]),
    ("بیست و پنج غیرنظامی زخمی شدند.", [(25, "injured", "exact")]),
    ("نزدیک به ۴۰ تفنگدار آمریکایی به منطقه رسیدند.", [(40, "troops", "approx")]),
    ("این کشور ۱۵۶ میلیون دلار کمک کرد.", []),
    ("این سرباز ۲۵ ساله اهل تگزاس بود.", []),
    ("قیمت‌ها ۱۲ درصد افزایش یافت.", []),
    ("این دهمین حمله در هفته گذشته بود.", []),
    ("جنگنده‌ها ۳۶ هدف را بمباران کردند.", []),
    ("شبه\u200cنظامیان ۱۵۰ حمله به پایگاه\u200cها انجام دادند.", []),
    ("این حادثه در ۷ اکتبر رخ داد.", []),
    ("نرخ مشارکت به ۳۵ درصد رسید.", []),
    ("در سال ۲۰۱۸ آمریکا نیروهایش را خارج کرد.", []),
    ("عملیات سه روز طول کشید.", []),
]


@pytest.mark.parametrize(("text", "expected"), FA)
def test_persian(text, expected):
    assert _triples(find_figures(text, "fa", [])) == expected


def _entity(text: str, surface: str, label: str, entity_id: str, canonical: str) -> dict:
    start = text.index(surface)
    return {"start": start, "end": start + len(surface), "text": surface, "label": label, "entity_id": entity_id,
            "canonical_name": canonical}


def test_row_shape_and_span(en_nlp):
    text = "About 900 American soldiers remain in Syria."
    (row,) = find_figures(text, "en", [], en_nlp)
    assert set(row) == KEYS
    assert row["text"] == text[row["start"]:row["end"]] == "900 American soldiers"
    assert (row["low"], row["high"]) == (900, 900)


def test_range_bounds():
    (row,) = find_figures("قتل بين 20 و30 شخصا في الاشتباكات.", "ar", [])
    assert (row["value"], row["low"], row["high"], row["category"]) == (20, 20, 30, "killed")


def test_arabic_span_takes_the_adjectives():
    text = "وصل 1500 جندي أمريكي إلى قاعدة عين الأسد."
    (row,) = find_figures(text, "ar", [])
    assert row["text"] == "1500 جندي أمريكي"


def test_location_from_entity_after_preposition(en_nlp):
    text = "About 900 American soldiers remain in Syria."
    ents = [_entity(text, "Syria", "LOC", "loc/syria", "Syria")]
    (row,) = find_figures(text, "en", ents, en_nlp)
    assert (row["location"], row["location_entity_id"]) == ("Syria", "loc/syria")


def test_arabic_location_with_attached_preposition():
    text = "تنشر الولايات المتحدة نحو 2500 جندي بالعراق."
    ents = [_entity(text, "العراق", "LOC", "loc/iraq", "Iraq"), _entity(text, "الولايات المتحدة", "LOC", "loc/us", "United States")]
    (row,) = find_figures(text, "ar", ents)
    assert row["location"] == "Iraq"


def test_no_location_without_preposition(en_nlp):
    text = "Syria hosts about 900 American soldiers."
    ents = [_entity(text, "Syria", "LOC", "loc/syria", "Syria")]
    (row,) = find_figures(text, "en", ents, en_nlp)
    assert row["location"] is None


def test_no_location_from_a_modifier(en_nlp):
    text = "At least eight fighters were killed in the U.S. strikes near Deir ez-Zor."
    ents = [_entity(text, "U.S.", "LOC", "loc/us", "United States"), _entity(text, "Deir ez-Zor", "LOC", "loc/dez", "Deir ez-Zor")]
    (row,) = find_figures(text, "en", ents, en_nlp)
    assert row["location"] == "Deir ez-Zor"


def test_no_location_after_a_non_place_preposition():
    text = "أسفرت الضربات عن مقتل 23 عنصرا من المجموعات الموالية لإيران."
    (row,) = find_figures(text, "ar", [_entity(text, "إيران", "LOC", "loc/iran", "Iran")])
    assert row["location"] is None


def test_actor_from_entity_modifier(en_nlp):
    text = "Roughly 2,500 U.S. troops are stationed in Iraq."
    ents = [_entity(text, "U.S.", "LOC", "loc/us", "United States"), _entity(text, "Iraq", "LOC", "loc/iraq", "Iraq")]
    (row,) = find_figures(text, "en", ents, en_nlp)
    assert (row["actor"], row["actor_entity_id"], row["location"]) == ("United States", "loc/us", "Iraq")


class _FakeCatalog:
    """The catalog's demonym API over a tiny table."""

    class _Ent:
        def __init__(self, entity_id: str, name: str):
            self.entity_id, self.canonical_name = entity_id, name

    TABLE = {norm_key(k): v for k, v in {"american": ("loc/us", "United States"), "أمريكي": ("loc/us", "United States"),
             "palestinians": ("loc/palestine", "Palestine"), "آمریکایی": ("loc/us", "United States")}.items()}

    def demonym(self, word: str):
        hit = self.TABLE.get(norm_key(word)) or self.TABLE.get(word.lower())
        return self._Ent(*hit) if hit else None


@pytest.mark.parametrize(
    ("lang", "text", "actor"),
    [
        ("en", "About 900 American soldiers remain in Syria.", "United States"),
        ("en", "Israeli strikes killed more than 40 Palestinians overnight.", "Palestine"),
        ("ar", "وصل 1500 جندي أمريكي إلى قاعدة عين الأسد.", "United States"),
        ("ar", "أعلن البنتاغون مقتل ثلاثة جنود أمريكيين.", "United States"),
        ("fa", "سه سرباز آمریکایی کشته شدند.", "United States"),
        ("ar", "تنشر الولايات المتحدة نحو 2500 جندي في العراق.", None),
    ],
)
def test_actor_from_demonym(lang, text, actor, monkeypatch, en_nlp):
    monkeypatch.setattr(figures, "_catalog", lambda: _FakeCatalog())
    (row,) = find_figures(text, lang, [], en_nlp if lang == "en" else None)
    assert row["actor"] == actor


def test_actor_with_the_real_catalog(monkeypatch, en_nlp):
    from pipeline.constants import CATALOG_DIR

    if not (CATALOG_DIR / "entities.jsonl").is_file():
        pytest.skip("entity catalog not built")
    from pipeline.ner.catalog import load_catalog

    monkeypatch.setattr(figures, "_catalog", load_catalog)
    (row,) = find_figures("قُتل ثلاثة جنود أمريكيين في الأردن.", "ar", [])
    assert row["actor"] == "United States" and row["actor_entity_id"]
    text = "About 900 American soldiers remain in Syria."
    (row,) = find_figures(text, "en", [], en_nlp)
    assert row["actor"] == "United States"


def test_unknown_language_uses_script():
    assert _triples(find_figures("نشرت تركيا 3000 جندي.", "und", [])) == [(3000, "troops", "exact")]
    assert _triples(find_figures("Turkey deployed 3,000 soldiers.", "und", [])) == [(3000, "troops", "exact")]


def test_entity_rows_with_missing_canonical_name():
    text = "تنشر واشنطن 2500 جندي في العراق."
    ent = _entity(text, "العراق", "LOC", None, float("nan"))
    (row,) = find_figures(text, "ar", [ent])
    assert (row["location"], row["location_entity_id"]) == ("العراق", None)
