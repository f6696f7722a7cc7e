"""English text pools of the demo's general-news site (invented towns, people and clubs).

Every sentence here was written for the demo. Placeholders in ``{braces}`` are filled per article
by `values`; a topic's paragraphs only use the placeholders `values` provides.
"""

from __future__ import annotations

import random
from datetime import date

TOWNS = ["Harwick", "Ellsmere", "Colbridge", "Dunmore Bay", "Fenwick Cross", "Oakhollow",
         "Brantley", "Saltmere", "Wyncote", "Larkfield", "Ashby Reach", "Thornmouth"]
FIRST = ["Alice", "Tom", "Priya", "Gareth", "Maeve", "Daniel", "Ruth", "Kwame", "Sofia", "Owen",
         "Helen", "Marcus", "Imogen", "Rashid", "Clare", "Joel"]
LAST = ["Penrose", "Hartley", "Okafor", "Whitcombe", "Delaney", "Marsh", "Quinlan", "Fairbairn",
        "Ashdown", "Kerridge", "Mbeki", "Treloar", "Sandford", "Lowry", "Castellan", "Voss"]
ROLES = ["council leader", "cabinet member for housing", "head of planning", "ward councillor",
         "chair of the finance committee", "deputy mayor"]
STREETS = ["Mill Lane", "Quay Street", "Beacon Road", "Orchard Way", "Station Parade", "Tanner's Row",
           "Harbour Hill", "Chapel Walk"]
RIVERS = ["Lune", "Brant", "Ellery", "Wyn"]
COMPANIES = ["Saltmere Foods", "Corvel Engineering", "Northgate Print", "Brightwater Ceramics",
             "Halden Logistics", "Ferris & Lyle", "Oakhollow Dairies"]
CLUBS = ["Harwick Rovers", "Colbridge Athletic", "Saltmere Town", "Ellsmere United",
         "Thornmouth Albion", "Brantley Harriers"]
SCHOOLS = ["St Aldric's Primary", "Larkfield Academy", "Wyncote High School", "Beacon Road Infants"]
STAFF = ["Alice Penrose", "Gareth Lowry", "Priya Mbeki", "Joel Sandford", "Maeve Quinlan"]
COMMENTERS = ["harbourwatcher", "Sue from Larkfield", "oldtownpete", "CyclistNotACritic",
              "M. Delaney", "quietresident", "rosie_k", "Bill T."]
COMMENTS = [
    "About time somebody looked at this properly.",
    "I'll believe it when I see the work actually start.",
    "Good to see local reporting on this, thank you.",
    "Does anyone know whether the meeting is open to the public?",
    "We were affected last winter and nobody came to check on us.",
    "Sensible decision in my view, even if the timing is awkward.",
    "The figures in the report don't add up to me.",
    "Well done to everyone involved.",
]

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DATE_FORMAT = "{day} {month} {year}"
LABELS = {
    "home": "Home", "published": "Published", "updated": "Updated", "by": "By",
    "read_more": "Read more", "comments": "Reader comments", "comment_count": "{n} comments",
    "newsletter": "Get the morning briefing", "newsletter_text":
        "Sign up for our free newsletter and get the day's local headlines in your inbox at 7am.",
    "email": "Your email address", "subscribe": "Sign up", "rights": "All rights reserved.",
    "archive": "Archive", "previous_day": "Previous day", "next_day": "Next day",
    "latest": "Latest news", "articles_of": "Articles of {date}", "skip": "Skip to content",
    "privacy": "Privacy", "contact": "Contact us", "search": "Search", "share": "Share this article",
    "leave_comment": "Leave a comment",
}
TEASER_LABEL = "Read more: {title}"

TOPICS: dict[str, dict[str, list[str]]] = {
    "local": {
        "headlines": [
            "{town} council approves {money} plan to repair {street}",
            "[0,1]{street} repairs: {town} council finds {money} after long dispute",
            "[2]{town} residents win changes to {street} repair plans",
        ],
        "leads": [
            "Councillors in {town} voted {votes_for} to {votes_against} on {weekday} evening to back a {money} programme of work on {street}, ending months of argument over who should pay for it.",
            "A long-running dispute over the future of {street} in {town} moved a step closer to an end on {weekday}, when the council's cabinet agreed to set aside {money} for the project.",
            "Residents who packed the public gallery at {town} town hall on {weekday} left with most of what they had asked for, after councillors backed changes to the plans for {street}.",
        ],
        "body": [
            "The scheme was first proposed in {prev_month}, when engineers warned that parts of the road surface and the drains beneath it were close to failing. A survey found {n} separate defects along a stretch of less than a mile.",
            "Under the plan, work will be carried out in phases so that {street} is never fully closed. Shops will keep their deliveries in the early morning, and a temporary crossing will be put in near {school}.",
            "Opposition members argued that the money would be better spent in {town2}, where they say a backlog of smaller repairs has been ignored for years. An amendment to split the budget was defeated.",
            "Officers told the meeting that the cost had risen by {pct} per cent since the first estimate, mostly because of the price of materials and the need to divert a water main.",
            "A petition signed by {big} people had called on the council to act before the winter. Its organiser, {person2}, said the campaign had shown what a street could achieve when neighbours worked together.",
            "The council says contractors should be on site within {n2} days and that the work will take about {months} months, weather permitting. Updates will be posted at the town hall and on noticeboards along the route.",
            "Some traders remain unconvinced. The owner of a bakery near the junction with {street2} said takings had already fallen during earlier roadworks and asked for a reduction in business rates while the work goes on.",
            "The decision still has to be confirmed by the full council next month, although that is usually a formality once the cabinet has agreed a budget line.",
            "It is the largest single sum the authority has committed to a road in {town} for more than a decade, according to figures published with the meeting papers.",
            "[2]The revised plans keep the row of lime trees outside the chapel, which residents had feared would be felled, and add two new pedestrian crossings.",
        ],
        "quotes": [
            "\"This is not a glamorous project, but it is the kind of thing people notice every single day,\" said {person}, the {role}. \"We have listened, and we have found the money.\"",
            "{person}, the {role}, told the meeting: \"Nobody pretends this will be painless, but doing nothing would have cost far more in a few years' time.\"",
            "\"We were told for years that there was no budget. Tonight shows that there was a budget, just not the will,\" said {person2}, who lives on {street}.",
        ],
        "closings": [
            "A public drop-in session about the works will be held at {town} library next {next_weekday} between 4pm and 7pm.",
            "The meeting papers, including the engineers' survey, can be read on the council's website.",
            "Councillors are expected to return to the question of repairs in {town2} at their next meeting.",
        ],
    },
    "weather": {
        "headlines": [
            "[0]Heavy rain brings flooding to low roads around {town}",
            "[0]River {river} bursts its banks after a day of downpours",
            "[1]Frost warning for {town} and {town2} as temperatures drop to {temp_low}C",
            "[1]Coldest night of the autumn ahead for {town}",
            "[2]Gales close {town} seafront and cancel ferry crossings",
        ],
        "leads": [
            "Drivers were warned to avoid low-lying roads around {town} on {weekday} after {rain_mm}mm of rain fell in less than a day and the River {river} rose above its banks in two places.",
            "Forecasters expect temperatures in {town} and the surrounding villages to fall as low as {temp_low}C overnight, the coldest night of the season so far.",
            "Strong winds gusting up to {wind} miles per hour forced the closure of the seafront at {town} on {weekday}, with waves breaking over the promenade at high tide.",
        ],
        "body": [
            "[0]Fire crews were called to {n} properties where water had come in under doors, and sandbags were handed out from the depot on {street}. No one was reported hurt.",
            "[1]The county's highways team said gritting lorries would go out from early evening on main routes and bus routes, but that side streets and pavements would not be treated.",
            "[2]Ferry crossings from {town} were cancelled for the rest of the day, and the operator said passengers holding tickets could travel on any sailing in the next week.",
            "[0]Farmers near {town2} said the ground was already saturated after a wet autumn, and that some fields had been under water for {n} days this month.",
            "[0]The Environment Agency kept a flood alert in place for the lower {river} valley and said river levels would stay high until at least the following morning.",
            "Temperatures are forecast to recover to around {temp_high}C by the end of the week, with a return to showers and lighter winds.",
            "[0]Schools in the area stayed open, although {school} asked parents to use the rear entrance because the playground nearest the road was flooded.",
            "[1]Residents were reminded to check on elderly neighbours and to keep pets indoors during the coldest hours.",
            "[1]Overnight frost is likely to leave untreated roads and pavements icy until mid-morning, and the ambulance service has asked people to take extra care on foot.",
            "[1]Charities in {town} opened extra emergency beds, and the night shelter on {street} said it would stay open during the day while the cold lasts.",
            "[2]Part of the railings near the lifeboat station was bent by the force of the waves, and the council has fenced off the area until it can be repaired.",
            "[2]Several trees came down across roads between {town} and {town2}, and about {big2} homes lost power for part of the afternoon.",
            "[2]The harbour master advised owners of small boats to check their moorings before dark and to stay off the harbour wall.",
        ],
        "quotes": [
            "[0]\"We have seen this road flood three times in two years,\" said {person2}, whose house backs onto the river. \"Every time, we are told the defences are being looked at.\"",
            "[0]A spokesperson for the county council said: \"Our crews have been out since the early hours. Please do not drive through flood water, however shallow it looks.\"",
            "{person}, a forecaster who has tracked the region's weather for two decades, said the pattern was \"typical for late autumn, just arriving all at once\".",
            "[2]\"I have lived on the front for forty years and I have rarely seen the sea like this,\" said {person2}, who runs a guest house on {street}.",
        ],
        "closings": [
            "Travel updates are available from the county's highways line and local radio.",
            "[0]A further update on the flood alert is expected on {next_weekday}.",
            "[0]Anyone whose home has been flooded is asked to report it to the council so that help can be arranged.",
        ],
    },
    "business": {
        "headlines": [
            "[0]{company} to create {n} jobs with new site in {town}",
            "[1]{town} market traders report busiest month in three years",
            "[2]{company} sales rise {pct} per cent as exports recover",
        ],
        "leads": [
            "{company}, one of the largest private employers in {town}, said on {weekday} that it would open a second site on the edge of the town and take on {n} new staff over the next year.",
            "Stallholders at {town}'s weekly market say footfall in {month} was the highest they have recorded since the square was reopened, helped by a run of dry weekends.",
            "{company} reported a {pct} per cent rise in sales for the half year to the end of {prev_month}, as orders from overseas customers picked up again.",
        ],
        "body": [
            "[0]The firm said the expansion would cost about {money}, part of which is covered by a regional growth grant. Building work on the unit near {town2} is due to start in the spring.",
            "[0]Most of the new roles will be on the shop floor, but the company is also looking for engineers and apprentices, and has said it will work with Larkfield Academy on training.",
            "[1]Market managers counted an average of {big} visitors on each Saturday of the month, up from fewer than two thousand a year earlier.",
            "[1]Several traders said they had extended their hours and added products such as hot food and local cheese to keep customers coming back through the winter.",
            "[2]Profits were held back by higher energy costs, which the firm said had risen by {pct2} per cent compared with the same period last year.",
            "The chamber of commerce said the figures were encouraging but warned that many smaller businesses in {town} were still struggling with rents and staff shortages.",
            "[0,2]The company was founded above a shop on {street} and moved to its current premises in the 1990s. It now employs more than {big2} people across the county.",
            "[2]Analysts who follow the sector said demand from Europe had recovered faster than expected, although prices remain under pressure.",
            "[1]The square was closed for nearly a year while the paving was relaid and new lighting installed, and several long-standing traders left during the works.",
            "[1]New stalls this autumn include a fishmonger from {town2}, a bookbinder and a stand selling soup made from vegetables grown on the allotments behind {street}.",
            "[2]The firm is partly owned by its employees through a trust and publishes its figures twice a year.",
        ],
        "quotes": [
            "[0]\"{town} has been good to us, and we want to keep growing here rather than somewhere else,\" said {person}, the managing director.",
            "[1]\"A busy market means busy cafes, busy shops and busy pubs,\" said {person2}, who chairs the traders' association. \"Everybody benefits.\"",
            "[2]{person}, the finance director, said: \"We are cautious about next year, but the order book is the strongest it has been for some time.\"",
        ],
        "closings": [
            "[0]The company will hold a recruitment open day at its {town} site next {next_weekday}.",
            "[1]The market runs every Saturday from 8am, with a farmers' market on the first Sunday of the month.",
            "[2]Full results are due to be published in the spring.",
        ],
    },
    "transport": {
        "headlines": [
            "[0]Bus route between {town} and {town2} saved after last-minute deal",
            "[1]Rail line through {town} to close for {n} days of engineering work",
            "[2]New cycle lane on {street} divides opinion in {town}",
        ],
        "leads": [
            "The evening bus service between {town} and {town2}, which had been due to end this month, will keep running after the county council agreed to cover part of its costs.",
            "Trains will not run through {town} for {n} days early next year while engineers replace track and signalling equipment on the line, the rail operator announced on {weekday}.",
            "A painted cycle lane that appeared on {street} in {town} last week has drawn both praise and complaints, with some drivers saying it has made the road too narrow.",
        ],
        "body": [
            "[0]Passenger numbers on the route fell sharply during the pandemic and have only partly recovered. The operator said about {big} journeys a month were now made on the evening buses.",
            "[1]Replacement buses will run between the stations, adding around {n2} minutes to most journeys, and tickets will be accepted on the buses without extra charge.",
            "[2]The council said the lane was part of a trial that would last six months, after which residents would be asked for their views before any decision is made.",
            "[0]Students at {school} are among the most regular users of the service, and the school had written to councillors warning that some pupils would struggle to get home from after-school clubs.",
            "[1]The work includes replacing the level crossing near {town2}, which has been the scene of {n3} reported near misses since it was last upgraded.",
            "[2]Cyclists say the lane has already made them feel safer on the route to the station, while a group of shopkeepers has asked for loading bays to be marked along it.",
            "[0]The deal runs until the end of next year. Campaigners say they will use the time to press for a permanent solution funded from the regional transport budget.",
            "[1]The work is part of a wider {money} programme to improve reliability on the line, which has suffered repeated signal failures.",
            "[1]Freight trains serving the quarry near {town2} will be diverted over a longer route during the closure.",
            "[2]The lane runs for about half a mile between the station and the junction with {street2}, separated from traffic only by a painted line and a row of flexible posts.",
            "[2]Before the trial began, the council counted up to {n2} cyclists an hour on the road at peak times, a figure it expects to rise.",
            "[0]Without the deal, the last bus from {town} would have left at 6.40pm, too early for many shift workers at the hospital and the retail park.",
        ],
        "quotes": [
            "[0]\"For a lot of people, that last bus is the only way to get home from a late shift,\" said {person2}, who organised a petition to save the route.",
            "[0]{person}, the council's {role}, said: \"We know how much this service matters. It was right to find a way to keep it going.\"",
            "[2]\"I nearly gave up cycling to work last year,\" said {person2}, a nurse who commutes along {street}. \"This is the first time the council has done something for us.\"",
            "[1]\"We know closures are frustrating, but this is the work that stops the line failing every winter,\" said {person}, the operator's route director.",
            "[2]{person}, the council's {role}, said the trial would be judged on evidence: \"We will count, we will listen, and then we will decide.\"",
        ],
        "closings": [
            "[1]Timetables for the replacement services will be published four weeks before the closure.",
            "[2]Comments on the trial can be sent to the council until the end of {next_month}.",
            "[0]The operator said it would review the timetable again in the summer.",
        ],
    },
    "sport": {
        "headlines": [
            "[0]{club} beat {rival} {goals_for}-{goals_against} to climb the table",
            "[1]Late goal earns {club} a point at {rival}",
            "[2]{club} appoint {person} as new manager",
        ],
        "leads": [
            "{club} moved up to {place} in the league on {weekday} with a {goals_for}-{goals_against} win over {rival}, their {nth} victory in a row at home.",
            "A header from {scorer} in the {minute}th minute rescued a point for {club} away at {rival} on {weekday}, after a first half in which the visitors barely had a chance.",
            "{club} have named {person} as their new manager, weeks after the departure of the previous boss left the club without a permanent appointment.",
        ],
        "body": [
            "[0]The home side took the lead after {minute2} minutes, when {scorer} turned in a low cross at the near post, and added to it shortly after half-time from the penalty spot.",
            "[0]{rival} had the better of the early exchanges and hit the bar from a free kick, but they faded badly after the break and finished with ten men.",
            "[0]The crowd of {big} was the largest at the ground this season, helped by a discounted ticket offer for families.",
            "[2]The new manager has previously coached in the academy and spent most of his playing career at {rival}, where he made more than {n3} appearances.",
            "Injuries have left the squad short in defence, and the club is expected to bring in at least one player on loan before the end of the month.",
            "[0,1]{club} are next in action at home on {next_weekday}, when they face a side just one point behind them.",
            "[1]{rival} went ahead just before half-time with a shot that deflected in off a defender, and should have been further ahead after the break.",
            "[1]The visitors' manager made three changes on the hour, and the switch to two strikers finally gave the home defence something to think about.",
            "[1]A travelling support of around {big2} made the most of the late drama, staying on the terrace long after the final whistle.",
            "[2]He takes over with the club in {place} place, and his first task will be to tighten a defence that has conceded more goals than any other in the division.",
            "[2]The board said it had interviewed five candidates and that the decision had been unanimous.",
        ],
        "quotes": [
            "[0,1]\"The lads showed real character today,\" said {person}. \"We did not play well for an hour, but we kept going.\"",
            "[2]\"It is a club I have always loved, and I know what it means to this town,\" {person} said at a short press conference at the ground.",
            "{person2}, the club captain, said: \"We owe the supporters a good run now. They have stuck with us through a hard couple of seasons.\"",
        ],
        "closings": [
            "[0,1]Tickets for the next home match are on sale at the club shop.",
            "[0,1]Highlights will be shown on the club's channel later this week.",
            "[2]The new manager's first match in charge will be at home on {next_weekday}.",
        ],
    },
}

FOREIGN_INSERTS = [
    (
        "Valdemora remonta en el descuento y sigue soñando con el ascenso - Radio Estadio Sur",
        "El conjunto de Valdemora necesitaba ganar para no depender de otros resultados y lo consiguió en el último suspiro. MIN 91: ¡Gol de Valdemora! Ferrán recogió un rechace en la frontal y la colocó junto al poste ante la desesperación del portero visitante.",
    ),
    (
        "Olmedal se impone en el derbi y duerme en puestos de playoff - Deportes Hoy Sur",
        "Los de Olmedal salieron enchufados y resolvieron el partido antes del descanso. MIN 38: ¡Gol del Olmedal! Centro medido desde la derecha y Arrieta, libre de marca, cabeceó a la red para desatar la locura en la grada.",
    ),
]
"""Spanish football headline lines and paragraphs, inserted as plain ``<p>`` into English articles."""


def values(rng: random.Random, day: date) -> dict[str, object]:
    """Placeholder values of one article (entities drawn from the pools, numbers in sane ranges)."""
    towns = rng.sample(TOWNS, 2)
    surnames = rng.sample(LAST, 2)
    people = [f"{rng.choice(FIRST_M)} {surnames[0]}", f"{rng.choice(FIRST_F)} {surnames[1]}"]
    clubs = rng.sample(CLUBS, 2)
    streets = rng.sample(STREETS, 2)
    goals = sorted(rng.sample(range(0, 5), 2), reverse=True)
    votes = rng.randint(8, 14)
    place = rng.choice(["second", "third", "fourth", "fifth", "sixth"])
    return {
        "town": towns[0], "town2": towns[1], "person": people[0], "person2": people[1],
        "role": rng.choice(ROLES), "street": streets[0], "street2": streets[1],
        "river": rng.choice(RIVERS), "company": rng.choice(COMPANIES), "club": clubs[0],
        "rival": clubs[1], "school": rng.choice(SCHOOLS),
        "goals_for": goals[0] if goals[0] != goals[1] else goals[0] + 1, "goals_against": goals[1],
        "scorer": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "minute": rng.randint(80, 94),
        "minute2": rng.randint(6, 40), "place": place, "nth": rng.choice(["third", "fourth", "fifth"]),
        "n": rng.randint(3, 19), "n2": rng.randint(20, 45), "n3": rng.randint(120, 310),
        "big": f"{rng.randint(2, 9)},{rng.randint(100, 999)}", "big2": rng.randint(120, 900),
        "pct": rng.randint(4, 28), "pct2": rng.randint(5, 35), "months": rng.randint(3, 9),
        "money": f"£{rng.randint(2, 48) / 10:.1f}m" if rng.random() < 0.6 else f"£{rng.randint(150, 950)},000",
        "votes_for": votes, "votes_against": rng.randint(2, votes - 3),
        "temp_low": -rng.randint(1, 7), "temp_high": rng.randint(7, 13), "wind": rng.randint(55, 80),
        "rain_mm": rng.randint(30, 70),
        "weekday": WEEKDAYS[(day.weekday() - 1) % 7], "next_weekday": WEEKDAYS[rng.randint(0, 6)],
        "month": MONTHS[day.month - 1], "prev_month": MONTHS[day.month - 2],
        "next_month": MONTHS[day.month % 12],
    }

FIRST_F = ["Alice", "Priya", "Maeve", "Ruth", "Sofia", "Helen", "Imogen", "Clare", "Nadia", "Beth"]
FIRST_M = ["Tom", "Gareth", "Daniel", "Kwame", "Owen", "Marcus", "Rashid", "Joel", "Euan", "Leon"]
OCCUPATIONS = ["retired teacher", "taxi driver", "pharmacist", "student nurse", "carpenter",
               "café owner", "postal worker", "sixth-former", "dog walker", "church warden"]
VOICE = '"{statement}," said {name}, {descriptor}.'
DESCRIPTORS = [
    "who has lived in {town2} for {years} years", "a {occupation} from {town2}",
    "a {occupation} who works in {town}", "who runs a shop on {street2}",
    "{age}, from {town2}", "a {occupation} and lifelong {town} resident",
    "who was passing the town hall on {weekday}", "a member of the {town2} residents' association",
]
VOICES: dict[str, list[str]] = {
    "local": [
        "I have been tripping over the same broken kerb for as long as I can remember",
        "They could have done this five years ago and saved everyone a lot of bother",
        "As long as the buses keep running past my door, I am happy",
        "My worry is the noise, because I work nights and sleep during the day",
        "It is nice to feel that someone at the council actually listened for once",
        "Half the street turned up to the meeting, which tells you how strongly people feel",
        "I just hope they finish before the Christmas shopping starts",
    ],
    "weather": [
        "[0]The water came up over the step in about twenty minutes, there was nothing we could do",
        "[0]We moved the furniture upstairs at midnight and waited for the morning",
        "[1]I scraped the car this morning and the ice was thicker than I have seen in years",
        "[1]My mother is ninety and I have been going round twice a day to keep the heating on",
        "[2]You could feel the whole house shaking when the big gusts came through",
        "[2]I have never seen spray come that far up the road",
        "The forecast was right for once, but nobody expected it to be this bad",
        "We know this part of the county gets the worst of it, we just get on with it",
    ],
    "business": [
        "[0,2]My son did an apprenticeship there and it set him up for life",
        "[0]More jobs on this side of town can only be a good thing",
        "[1]I come every Saturday now, you get things here you cannot find in the supermarket",
        "[1]The atmosphere on a busy morning is what a town centre should feel like",
        "[2]When a firm like that does well, the whole town feels it",
        "I just hope the wages are decent and the jobs go to local people",
        "We need more news like this after a difficult couple of years",
    ],
    "transport": [
        "[0]Without that bus I would have to give up my evening shifts",
        "[0]My daughter gets it home from college three nights a week",
        "[1]It is going to be a nightmare getting to work, but it has to be done",
        "[1]I have been late four times this month because of signal problems",
        "[2]I cycle with my two children and for the first time it feels safe",
        "[2]The road was already too narrow for the lorries, now it is worse",
        "Nobody asked the people who actually use it every day",
        "I will believe it is an improvement when I see it working",
    ],
    "sport": [
        "[0,1]I have had a season ticket for twenty years and that was one of the best afternoons",
        "[0,1]We were terrible for an hour and then brilliant, that is typical of this club",
        "[2]He knows the club inside out, which is exactly what we need right now",
        "[2]I would have liked someone with more experience, but let us give him a chance",
        "The young players coming through give everyone a lot of hope",
        "My grandad brought me here as a boy and now I bring my own kids",
        "The atmosphere in the ground has been better this season than for years",
    ],
}


def voice_values(rng: random.Random, day: date) -> dict[str, object]:
    """Values of a vox-pop paragraph: a passer-by with a name, a place and a description."""
    first = rng.choice(FIRST_F + FIRST_M)
    return {"name": f"{first} {rng.choice(LAST)}", "town": rng.choice(TOWNS),
            "town2": rng.choice(TOWNS), "street2": rng.choice(STREETS),
            "years": rng.randint(6, 52), "age": rng.randint(19, 84),
            "occupation": rng.choice(OCCUPATIONS), "weekday": WEEKDAYS[(day.weekday() - 1) % 7]}
