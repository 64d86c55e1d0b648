"""Lay legal questions recognised by what co-occurs, not by single words.

People on advice forums rarely name the law: they name a party ('my landlord', 'the
contractor', 'my ex'), say what went wrong ('kept my deposit', 'refuses to pay', 'took
the money') and ask what follows ('can they do that?', 'do I have to pay?', 'what
are my rights?'). Each of these is common in everyday requests too ('a gift for my
boss', 'what can I do this weekend'), so alone they weigh little or nothing here; two
of the three together are strong evidence, all three very strong."""

from __future__ import annotations

from cascadeflow.domain.detection.rules import DomainRule, combination

# who the other side is
_PARTIES = (
    "landlord|landlords|tenant|tenants|employer|employers|boss|manager|company|neighbor|"
    "neighbors|neighbour|neighbours|contractor|roommate|roommates|dealership|dealer|seller|"
    "buyer|insurance|insurer|school|bank|police|cops|cop|officer|hoa|caretaker|estate|"
    "executor|lender|creditor|creditors|store|gym|city|county|owner|builder|roofer|plumber|"
    "mechanic|airline|debt collector|other driver|driver|coworker|hr|business|partner|shop|"
    "website|apartment complex|property manager|job|employee|tenancy|lease|rent|deed|will|"
    "house|home|car|paycheck|wages|salary|deposit|account|photo|photos|designs|painter|"
    "handyman|landscaper|electrician|cleaner|movers|moving company|tradesman|we hired|"
    "i hired|hired a"
)

# family: disputes with them are common, and so is everyday friction ('my sister
# refused to come to dinner'), so with trouble alone they count for less
_FAMILY = (
    "ex|husband|wife|stepmother|stepfather|stepmom|stepdad|brother|sister|siblings|uncle|"
    "aunt|cousin|parents|father|dad|mom|mother|grandmother|grandfather|grandma|grandpa|"
    "girlfriend|boyfriend|fiance|daughter|son|kids|child|children"
)

# what went wrong, or what is at stake between them
_TROUBLE = (
    "refuse|refuses|refused|refusing|won t|wont|kept|keeping|keeps|owe|owes|owed|owing|"
    "pay back|paid back|unpaid|fired|terminated|let go|laid off|evict|evicted|eviction|"
    "kicking me out|kicked me out|kicked out|sue|sued|suing|fault|damage|damaged|damages|"
    "stole|stolen|took the money|took my|vanished|disappeared|scam|scammed|cheated|ripped|"
    "hid|hidden|lied|lying|not true|false|threatening|threatened|threatens|charged|charging|"
    "fined|fine|fining|penalty|ticket|lien|judgment|froze|frozen|garnish|garnished|deducted|"
    "withheld|withholding|without permission|without asking|without notice|without my|"
    "behind on|stopped paying|won t pay|didn t pay|not paying|hasn t paid|never paid|"
    "discrimination|retaliation|harassment|harassing|defamation|slander|copied|stealing|"
    "contest|inherit|inherited|inheritance|co own|co owns|in my name|in his name|"
    "in her name|on the lease|on the deed|signed|sign|contract|agreement|breach|"
    "custody|visitation|alimony|child support|deny|denied|denying|denies|suspended|"
    "expelled|banned|towed|repossessed|accused|arrested|charges|warrant|broke the|"
    "hit my|hit me|crashed|accident|rear ended|bit|bitten|injured|slipped|refund|money back|"
    "sold me|as is|warranty|cancel|canceled|cancelled|overcharged|back pay|overtime|"
    "used my|using my|selling them|selling my|went missing|never showed|stopped showing|"
    "no show|took a deposit|took our|took his|took her|ghosted|stopped answering"
)

# what follows from it: the consequence the asker wants to know about
_ASKS = (
    "can they|can i make|i have to|"
    "we have to|he have to|she have to|they have to|do i owe|do we owe|"
    "is it legal|is that legal|is this legal|legally|allowed to|are they allowed|"
    "is that allowed|is this allowed|my rights|our rights|any rights|"
    "my options|any recourse|recourse|who pays|who gets|who is responsible|"
    "who owns|who wins|who keeps|am i liable|liable|am i responsible|responsible for|"
    "on the hook|go after|make them pay|make him pay|make her pay|my money back|"
    "what happens if|should i sign|need a lawyer|a lawyer|get them out|get him out|"
    "get her out|is that fair|enforceable|in trouble|press charges|to court|a case|"
    "do i prove|"
    "do i stop|stop her|stop him|stop them|fight it|have to pay|have to leave|"
    "have to go|have to let|get in trouble|entitled"
)

# questions that ask about a consequence only when something already went wrong
_ASKS_AFTER_TROUBLE = (
    "can he|can she|can it|can my|can the|can we|can i|can i do|can we do|"
    "do anything|do i do|should i do|do i get|is that right|is that true|"
    "who|does that work"
)

LEGAL_SITUATION_RULE = DomainRule(
    "legal",
    combinations=(
        combination(3.0, _PARTIES, _TROUBLE, in_multiple_choice=False),
        combination(2.5, _PARTIES, _ASKS, in_multiple_choice=False),
        combination(1.5, _FAMILY, _TROUBLE, in_multiple_choice=False),
        combination(2.5, _FAMILY, _ASKS, in_multiple_choice=False),
        combination(3.0, _TROUBLE, _ASKS, in_multiple_choice=False),
        combination(1.5, _TROUBLE, _ASKS_AFTER_TROUBLE, in_multiple_choice=False),
    ),
)
