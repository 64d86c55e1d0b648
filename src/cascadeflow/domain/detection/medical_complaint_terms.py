"""Lay medical questions recognised by what co-occurs: a part of the body with a
complaint ('my knee clicks', 'ears ringing'), a complaint with the question patients
ask about it ('is it normal', 'will it go away', 'heat or ice'), a person with a
complaint ('my baby ... sunken'). Many of these words are everyday ('back', 'clicking',
'cold'), so the pairs carry the weight, not the words."""

from __future__ import annotations

from cascadeflow.domain.detection.rules import DomainRule, combination

_BODY = (
    "my head|headache|headaches|eye|eyes|eyelid|ear|ears|nose|throat|mouth|tongue|teeth|"
    "tooth|gums|jaw|neck|shoulder|shoulders|arm|arms|elbow|wrist|wrists|my hand|hands|"
    "finger|fingers|thumb|chest|heart|lungs|stomach|belly|tummy|abdomen|my back|lower back|"
    "upper back|hip|hips|leg|legs|knee|knees|ankle|ankles|foot|feet|toe|toes|heel|skin|"
    "my face|lip|lips|joints|joint|muscles|muscle|bones|bone|ribs|pee|urine|poop|stool|"
    "bowel|period|periods|breast|breasts|soft spot|bladder|kidney|kidneys|liver|scalp|"
    "nails|toenail|vision|armpit|groin|spine|forehead|sinuses|sinus|tonsils|glands|"
    "blood pressure|heart rate|pulse|blood sugar"
)

# clearly bodily complaints
_COMPLAINTS = (
    "hurts|hurt|hurting|pain|painful|ache|aches|aching|sore|swollen|swelling|itchy|itch|"
    "itching|burning|tingly|tingling|numb|numbness|bleeding|bleeds|rash|lump|lumps|"
    "stiff|stiffness|cramp|cramps|cramping|throbbing|dizzy|dizziness|fever|cough|coughing|"
    "wheezing|nausea|nauseous|vomiting|throwing up|diarrhea|constipated|constipation|"
    "bloated|tender|bruise|bruised|bruising|sprained|blisters|blister|discharge|crusty|"
    "infected|infection|pus|inflamed|lightheaded|fatigue|exhausted|insomnia|twitching|"
    "ringing|spotting|sunburn|stye|pimple|pimples|acne|wart|sting|stung|bite|bitten|"
    "fainted|passed out|seizure|shaking|tremor|shortness of breath|can t breathe|"
    "out of breath|high|low|racing|pounding|skipping|feeling tired|feel tired|so tired|"
    "tired all|a burn|a cut|a bruise|a bite|a sting|a splinter|a blister|a sprain|a rash"
)

# words that only describe a complaint next to a part of the body
_BODY_ONLY_COMPLAINTS = (
    "click|clicking|clicks|popping|pops|crack|cracking|grinding|stuck|broke|broken|tired|sunken|patches|spots|"
    "red|yellow|dark|white|bumps|bump|twitch|twitches|weak|cold|hot|warm|burn|burned|sore"
)

_ASKS = (
    "is it normal|is this normal|is that normal|normal for|should i worry|i be worried|"
    "be worried|worried about|what causes|what could cause|could it be|what is it|"
    "does it mean|does that mean|it go away|go away|how long does|"
    "should i go|see a doctor|to the er|the er|urgent care|do i treat|treat|treatment|"
    "heat or ice|get rid of|is it safe|safe to|is it ok|is it okay|is it bad|is it dangerous|"
    "side effect|side effects|what tests|should i take|can i take|can she take|can he take|"
    "when should i|should i do|is that serious|is it serious|emergency|contagious|"
    "recover|recovery|heal|healing"
)

# the illnesses everybody has had, named the way people name them
_ILLNESSES = (
    "a cold|the cold|bad cold|head cold|chest cold|the flu|a virus|stomach bug|a bug|"
    "stomach flu|covid|a fever|an infection|strep|a migraine|allergies|hay fever|"
    "food poisoning|hangover|sore throat"
)

# what is done to the body, to ask how long it takes or what follows
_PROCEDURES = (
    "extraction|extracted|filling|root canal|surgery|stitches|x ray|xray|biopsy|cast|"
    "crown|implant|replacement|removal|removed|pulled|injection|shot|scan|mri"
)

# the people lay medical questions are about
_PEOPLE = (
    "my baby|newborn|infant|my toddler|my son|my daughter|my kid|my child|my mom|my mother|"
    "my dad|my father|my husband|my wife|my grandmother|my grandma|my grandfather|"
    "my grandpa|elderly|year old|month old|week old"
)

# what they take, and how they take it
_TAKING = "takes|taking|take|took|is on|was put on|prescribed|started|stop taking|stopped taking"
_DOSING = (
    "mg|pill|pills|tablet|tablets|dose|doses|dosage|medicine|medication|medications|meds|"
    "prescription|capsule|capsules|drops|injection|shot|vaccine|inhaler|cream|ointment"
)

# everyday ailments the clinical vocabularies leave out
_AILMENTS = {
    "stye": 5, "styes": 5, "boil": 1.5, "boils": 1.5, "ingrown": 4, "splinter": 3,
    "hangover": 3, "ringworm": 5, "impetigo": 5, "bunion": 5, "bunions": 5,
    "stomach bug": 5, "stomach flu": 5, "the flu": 3, "head cold": 5, "chest cold": 5,
    "heat rash": 5, "bronchitis": 5, "tonsillitis": 5, "pinworms": 5, "athlete s foot": 5,
    "jock itch": 5, "motion sickness": 4, "charley horse": 5, "frostbite": 4,
    "heatstroke": 5, "heat stroke": 5, "sunstroke": 5, "allergic reaction": 5,
}

MEDICAL_COMPLAINT_RULE = DomainRule(
    "medical",
    _AILMENTS,
    combinations=(
        combination(3.0, _BODY, _COMPLAINTS, in_multiple_choice=False),
        combination(2.5, _BODY, _BODY_ONLY_COMPLAINTS, in_multiple_choice=False),
        combination(2.0, _COMPLAINTS, _ASKS, in_multiple_choice=False),
        combination(1.5, _BODY, _ASKS, in_multiple_choice=False),
        combination(1.5, _PEOPLE, _COMPLAINTS, in_multiple_choice=False),
        combination(2.0, _TAKING, _DOSING, in_multiple_choice=False),
        combination(1.5, _PEOPLE, _TAKING, in_multiple_choice=False),
        combination(3.0, _ILLNESSES, _ASKS, in_multiple_choice=False),
        combination(2.0, _ILLNESSES, _PEOPLE, in_multiple_choice=False),
        combination(2.5, _BODY, _PROCEDURES, in_multiple_choice=False),
    ),
)
