"""German text pools of the demo's regional site (invented towns, people and clubs).

Every sentence here was written for the demo. Placeholders are filled per article by `values`.
"""

from __future__ import annotations

import random
from datetime import date

TOWNS = ["Auental", "Birkenfeld am See", "Eschwiesen", "Hohenmoor", "Lindach", "Mühlbrunn",
         "Oberwalden", "Rabenstein", "Steinau an der Wiese", "Talheim-Ost", "Wendelsbach"]
FIRST = ["Anna", "Jonas", "Katrin", "Stefan", "Miriam", "Lukas", "Sabine", "Tobias", "Elif",
         "Matthias", "Hannah", "Florian", "Ulrike", "Deniz"]
LAST = ["Brenner", "Hofmeister", "Kalkbrunner", "Lindqvist", "Moosbach", "Pfeilschifter",
        "Ranft", "Seidelmann", "Tannhäuser", "Wachtel", "Zöllner", "Yilmaz", "Eberle"]
ROLES = ["Bürgermeister", "Fraktionsvorsitzender der Grünen", "Kämmerer", "Ortsvorsteher",
         "Leiter des Bauamts", "Zweiter Bürgermeister"]
STREETS = ["Lindenstraße", "Mühlweg", "Am Schlossberg", "Brunnengasse", "Bahnhofstraße",
           "Kirchplatz", "Wiesenring", "Torgasse"]
RIVERS = ["Aue", "Wendel", "Birke", "Moorbach"]
COMPANIES = ["Hohenmoor Metallbau", "Bäckerei Kalkbrunner", "Auental Logistik", "Brenner Holzwerke",
             "Lindacher Mühle", "Wendelsbacher Brauerei"]
CLUBS = ["TSV Auental", "FC Lindach 08", "SV Rabenstein", "Eintracht Mühlbrunn",
         "SpVgg Oberwalden", "VfR Eschwiesen"]
STAFF = ["Katrin Moosbach", "Stefan Ranft", "Elif Yilmaz", "Matthias Eberle"]
COMMENTERS = ["Auentaler", "H. Wachtel", "radfahrerin_lindach", "Bürger aus Hohenmoor",
              "Gerd", "moorbach42", "S. Brenner"]
COMMENTS = [
    "Das wurde aber auch Zeit.",
    "Mal sehen, ob das diesmal wirklich umgesetzt wird.",
    "Danke für den ausführlichen Bericht aus der Sitzung.",
    "Weiß jemand, ob die Sitzung öffentlich ist?",
    "Bei uns in der Straße hat sich seit Jahren nichts getan.",
    "Vernünftige Entscheidung, auch wenn sie spät kommt.",
    "Die Zahlen kann ich nicht ganz nachvollziehen.",
]

MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember"]
WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
DATE_FORMAT = "{day}. {month} {year}"
LABELS = {
    "home": "Startseite", "published": "Veröffentlicht", "updated": "Aktualisiert", "by": "Von",
    "read_more": "Mehr aus der Region", "comments": "Leserkommentare", "comment_count": "{n} Kommentare",
    "newsletter": "Der Rundschau-Newsletter", "newsletter_text":
        "Jeden Morgen die wichtigsten Nachrichten aus dem Tal kostenlos per E-Mail.",
    "email": "Ihre E-Mail-Adresse", "subscribe": "Anmelden", "rights": "Alle Rechte vorbehalten.",
    "archive": "Archiv", "previous_day": "Vorheriger Tag", "next_day": "Nächster Tag",
    "latest": "Neueste Meldungen", "articles_of": "Artikel vom {date}", "skip": "Zum Inhalt springen",
    "privacy": "Datenschutz", "contact": "Kontakt", "search": "Suche", "share": "Artikel teilen",
    "leave_comment": "Kommentar schreiben",
}
TEASER_LABEL = "Lesen Sie auch: {title}"

TOPICS: dict[str, dict[str, list[str]]] = {
    "region": {
        "headlines": [
            "[0]{town}: Gemeinderat beschließt Sanierung der {street}",
            "[1]Neues Feuerwehrhaus für {town} kostet {money}",
            "[2]Streit um Baugebiet am Ortsrand von {town} geht weiter",
            "[3]{town} bekommt einen B\u00fcrgerbus",
        ],
        "leads": [
            "Der Gemeinderat von {town} hat am {weekday}abend mit {votes_for} zu {votes_against} Stimmen beschlossen, die {street} im kommenden Jahr grundlegend zu sanieren.",
            "Nach jahrelanger Diskussion ist die Entscheidung gefallen: {town} bekommt ein neues Feuerwehrhaus, und die Gemeinde nimmt dafür rund {money} in die Hand.",
            "Im Streit um das geplante Baugebiet am Ortsrand von {town} ist auch nach der Sitzung am {weekday} keine Einigung in Sicht.",
            "Ab dem Fr\u00fchjahr f\u00e4hrt in {town} ein B\u00fcrgerbus: Der Gemeinderat hat am {weekday} die Anschaffung eines Kleinbusses mit acht Sitzpl\u00e4tzen beschlossen, ehrenamtliche Fahrer stehen bereits bereit.",
        ],
        "body": [
            "[0]Die Straße ist seit Jahren in schlechtem Zustand. Bei einer Begehung im {prev_month} zählten Fachleute {n} Schäden am Belag und an den Gehwegen.",
            "[0]Gebaut werden soll in mehreren Abschnitten, damit Anlieger ihre Grundstücke jederzeit erreichen können. Der Busverkehr wird während der Arbeiten über die {street2} umgeleitet.",
            "[0,1]Die Kosten sind seit der ersten Schätzung um {pct} Prozent gestiegen. Die Verwaltung begründet das vor allem mit höheren Preisen für Baustoffe.",
            "[1]Das alte Gerätehaus stammt aus den sechziger Jahren und entspricht längst nicht mehr den Vorschriften. Die Fahrzeuge passen nur noch mit wenigen Zentimetern Abstand durch das Tor.",
            "[2]Eine Bürgerinitiative hat {big} Unterschriften gegen das Baugebiet gesammelt. Sie befürchtet mehr Verkehr und den Verlust von Wiesen, auf denen seltene Vögel brüten.",
            "[1]Aus dem Nachbarort {town2} kommt Unterstützung: Dort will man sich an den Kosten beteiligen, weil die Wehren seit langem gemeinsam ausrücken.",
            "[0,1]Der Zuschuss des Landes deckt nach Angaben der Verwaltung etwa ein Drittel der Ausgaben. Den Rest muss die Gemeinde über einen Kredit finanzieren.",
            "[0,1]Baubeginn soll nach den Plänen der Verwaltung im Frühjahr sein. Die Arbeiten werden voraussichtlich {months} Monate dauern.",
            "[2]Auf der Fläche sollen nach den Plänen eines Investors rund {n2} Wohnungen entstehen, ein Teil davon als geförderter Wohnraum.",
            "[2]Die Verwaltung verweist auf den Mangel an Wohnungen im Ort: Auf der Warteliste der Gemeinde stehen derzeit {big2} Haushalte.",
            "[2]Ein Gutachten zum Artenschutz soll bis zum Frühjahr vorliegen. Erst danach will der Rat über den Bebauungsplan abstimmen.",
            "[1]Die Freiwillige Feuerwehr zählt derzeit {n2} aktive Mitglieder, darunter eine wachsende Jugendgruppe, die bisher in einem Container üben muss.",
            "[3]Der Bus soll an drei Tagen in der Woche die Ortsteile mit dem Zentrum, der Arztpraxis und dem Bahnhof verbinden. Eine Fahrt kostet einen Euro.",
            "[3]Bislang haben sich {n} Freiwillige gemeldet, die den Bus abwechselnd fahren wollen. Sie brauchen daf\u00fcr lediglich einen gew\u00f6hnlichen F\u00fchrerschein.",
            "[3]Vor allem \u00e4ltere Menschen in den Au\u00dfenorten sind bisher auf Nachbarn oder Taxis angewiesen, seit die letzte regul\u00e4re Buslinie vor zwei Jahren eingestellt wurde.",
            "[3]Das Fahrzeug kostet rund {n2}.000 Euro, einen Teil davon \u00fcbernimmt ein F\u00f6rderprogramm des Landes f\u00fcr den l\u00e4ndlichen Raum.",
            "[3]Vorbild ist der Nachbarort {town2}, wo ein B\u00fcrgerbus seit f\u00fcnf Jahren erfolgreich unterwegs ist.",
        ],
        "quotes": [
            "[0,1]„Wir haben lange genug gewartet, jetzt muss es vorangehen“, sagte {person}, {role} von {town}.",
            "[0,1]„Niemand behauptet, dass das billig wird. Aber Nichtstun wäre am Ende teurer“, erklärte {person} in der Sitzung.",
            "[2]„Wir sind nicht gegen Wohnungen, wir sind gegen diese Planung“, sagte {person2} von der Bürgerinitiative.",
            "[2]„Wir müssen die Sorgen ernst nehmen, aber wir brauchen auch Wohnraum für junge Familien“, sagte {person}, {role}.",
            "[3]\u201eMobilit\u00e4t darf auf dem Land kein Luxus sein\u201c, sagte {person}, {role}.",
        ],
        "closings": [
            "Eine Informationsveranstaltung für Anwohner ist für den kommenden {next_weekday} im Rathaus geplant.",
            "Die Sitzungsunterlagen sind im Ratsinformationssystem der Gemeinde einsehbar.",
            "[2]Das Thema soll in der nächsten Sitzung erneut beraten werden.",
            "[3]Wer sich als Fahrerin oder Fahrer engagieren m\u00f6chte, kann sich im Rathaus melden.",
        ],
    },
    "verkehr": {
        "headlines": [
            "[0]Vollsperrung zwischen {town} und {town2} ab {next_weekday}",
            "[1]Neuer Radweg zwischen {town} und {town2} freigegeben",
            "[2]Regionalbahn nach {town} fährt wieder im Stundentakt",
        ],
        "leads": [
            "Autofahrer zwischen {town} und {town2} müssen sich auf Umwege einstellen: Die Kreisstraße wird ab dem kommenden {next_weekday} für voraussichtlich {n} Wochen voll gesperrt.",
            "Nach knapp zwei Jahren Bauzeit ist der neue Radweg entlang der {river} zwischen {town} und {town2} am {weekday} offiziell freigegeben worden.",
            "Die Regionalbahn nach {town} fährt von Dezember an wieder jede Stunde. Das teilte der Verkehrsverbund am {weekday} mit.",
        ],
        "body": [
            "[0]Grund für die Sperrung ist die Erneuerung einer Brücke, deren Tragfähigkeit bei einer Prüfung im {prev_month} als unzureichend eingestuft wurde.",
            "[0]Die Umleitung führt über {town2} und ist ausgeschildert. Der Schulbus fährt in dieser Zeit nach einem früheren Fahrplan, die Eltern wurden informiert.",
            "[1]Der Weg ist {km} Kilometer lang und durchgehend asphaltiert. Er ersetzt einen schmalen Schotterweg, der bei Regen kaum befahrbar war.",
            "[1]Gekostet hat der Ausbau rund {money}, den größten Teil davon trägt das Land aus einem Förderprogramm für den Alltagsradverkehr.",
            "[2]Zuletzt waren wegen fehlender Triebfahrzeugführer immer wieder Züge ausgefallen. Der Betreiber hat nach eigenen Angaben inzwischen {n} neue Kräfte eingestellt.",
            "[2]Pendler hatten sich über volle Züge und lange Wartezeiten beschwert. Eine Umfrage des Fahrgastverbandes ergab, dass {pct} Prozent der Befragten unzufrieden waren.",
            "[0]Für Fußgänger und Radfahrer wird neben der Baustelle ein schmaler Behelfsweg eingerichtet.",
            "[0]Die Kosten für den Neubau der Brücke schätzt das Straßenbauamt auf {money}.",
            "[1]An drei Stellen wurden Rastplätze mit Bänken und Fahrradständern angelegt, eine Infotafel erklärt die Geschichte der alten Mühlen an der {river}.",
            "[1]Bisher mussten Radfahrer auf der engen Landstraße fahren, auf der Lastwagen oft mit hoher Geschwindigkeit unterwegs sind.",
            "[2]Für die Verbesserung zahlt der Landkreis jährlich einen Zuschuss von {money}.",
            "[2]In den Hauptverkehrszeiten sollen außerdem längere Züge eingesetzt werden, damit Schüler und Pendler einen Sitzplatz finden.",
        ],
        "quotes": [
            "[0]„Wir wissen, dass die Sperrung für viele eine Belastung ist. Aber die Brücke ist am Ende ihrer Lebensdauer“, sagte {person} vom Straßenbauamt.",
            "[1]„Endlich kann ich mit dem Rad zur Arbeit fahren, ohne Angst haben zu müssen“, sagte {person2}, die täglich von {town2} nach {town} pendelt.",
            "[2]„Der Stundentakt ist das Mindeste, was eine Region wie unsere braucht“, sagte {person}, {role}.",
        ],
        "closings": [
            "[0]Aktuelle Hinweise zur Umleitung veröffentlicht der Landkreis auf seiner Internetseite.",
            "[2]Der neue Fahrplan gilt ab dem Fahrplanwechsel im Dezember.",
            "[1]Zur Eröffnung lädt der Landkreis am kommenden {next_weekday} zu einer gemeinsamen Radtour ein.",
        ],
    },
    "wirtschaft": {
        "headlines": [
            "[0]{company} schafft {n} neue Arbeitsplätze in {town}",
            "[1]Wochenmarkt in {town} zieht so viele Besucher an wie lange nicht",
            "[2]Handwerk in {town} sucht dringend Auszubildende",
        ],
        "leads": [
            "{company} baut seinen Standort in {town} aus und will im kommenden Jahr {n} zusätzliche Mitarbeiter einstellen.",
            "Der Wochenmarkt auf dem Kirchplatz in {town} erlebt einen Aufschwung: Im {month} kamen so viele Besucher wie seit Jahren nicht.",
            "Die Handwerksbetriebe in {town} und Umgebung finden kaum noch Nachwuchs. Nach Angaben der Kreishandwerkerschaft sind derzeit {n2} Lehrstellen unbesetzt.",
        ],
        "body": [
            "[0]Investiert werden rund {money}. Die neue Halle entsteht im Gewerbegebiet an der Straße nach {town2}, der Bauantrag ist bereits gestellt.",
            "[0]Das Unternehmen beschäftigt derzeit {big2} Menschen und beliefert Kunden in ganz Süddeutschland und im benachbarten Ausland.",
            "[1]Die Händler führen den Zuwachs auf das erweiterte Angebot zurück. Seit dem Sommer gibt es einen Stand mit regionalem Käse und einen mit warmen Speisen.",
            "[2]Besonders gefragt sind Elektriker, Installateure und Bäcker. Viele Betriebe bieten inzwischen Prämien und Zuschüsse zum Führerschein an.",
            "[0]Gestiegene Energiekosten machen auch diesem Betrieb zu schaffen. Die Ausgaben für Strom und Gas lagen zuletzt um {pct} Prozent über dem Vorjahr.",
            "[0]Die Firma wurde vor hundert Jahren in einer kleinen Werkstatt in der {street} gegründet und ist bis heute in Familienbesitz.",
            "Die Industrie- und Handelskammer spricht von einem guten Zeichen für die Region, warnt aber vor zu großen Erwartungen für das kommende Jahr.",
            "[1]Im Durchschnitt zählte die Marktverwaltung an jedem Samstag rund {big} Besucher, im Vorjahr waren es deutlich weniger.",
            "[1]Seit dem Frühjahr darf rund um den Kirchplatz wieder kurz geparkt werden, was nach Ansicht vieler Händler ebenfalls geholfen hat.",
            "[2]Viele Jugendliche entscheiden sich nach der Schule für ein Studium. Die Betriebe wollen deshalb früher in die Schulen gehen und Praktika anbieten.",
            "[2]Am kommenden {next_weekday} findet in der Stadthalle von {town2} eine Ausbildungsmesse statt, auf der sich {n} Betriebe vorstellen.",
            "[2]Einige Betriebe mussten bereits Aufträge ablehnen, weil ihnen schlicht die Leute fehlen.",
        ],
        "quotes": [
            "[0]„Wir fühlen uns hier wohl und wollen in {town} wachsen, nicht anderswo“, sagte Geschäftsführer {person}.",
            "[1]„Ein voller Markt ist gut für alle, auch für die Geschäfte und Cafés drumherum“, sagte Marktmeisterin {person2}.",
            "[2]„Wer heute eine Ausbildung im Handwerk macht, hat beste Aussichten“, sagte {person}, Obermeister der Innung.",
        ],
        "closings": [
            "[0]Am kommenden {next_weekday} lädt das Unternehmen zu einem Tag der offenen Tür ein.",
            "[1]Der Markt findet jeden Mittwoch und Samstag von 7 bis 13 Uhr statt.",
            "[2]Informationen zu freien Lehrstellen gibt es bei der Kreishandwerkerschaft.",
        ],
    },
    "sport": {
        "headlines": [
            "[0]{club} gewinnt Derby gegen {rival} mit {goals_for}:{goals_against}",
            "[1]Später Ausgleich rettet {club} einen Punkt",
            "[2]Volkslauf in {town}: Rekordbeteiligung trotz Kälte",
            "[3]{club} trennt sich von Trainer {person}",
        ],
        "leads": [
            "Der {club} hat das Derby gegen den {rival} am {weekday} mit {goals_for}:{goals_against} gewonnen und ist damit auf Rang {place} der Tabelle geklettert.",
            "In der {minute}. Minute erzielte {scorer} den Ausgleich für den {club}, der beim {rival} lange einem Rückstand hinterhergelaufen war.",
            "Beim traditionellen Volkslauf in {town} gingen am {weekday} mehr als {n3} Läuferinnen und Läufer an den Start, so viele wie nie zuvor.",
            "Der {club} hat sich nach einer Serie von {n} sieglosen Spielen von Trainer {person} getrennt. Das teilte der Verein am {weekday} mit.",
        ],
        "body": [
            "[0]Die Gastgeber gingen nach {minute2} Minuten durch einen Kopfball nach einer Ecke in Führung und legten kurz nach der Pause nach.",
            "[0]Der {rival} hatte in der ersten Halbzeit mehr vom Spiel, traf aber nur den Pfosten. Nach einer Gelb-Roten Karte war die Partie entschieden.",
            "[0,1]Rund {big} Zuschauer sahen die Partie, so viele wie in dieser Saison noch bei keinem Spiel der beiden Mannschaften.",
            "[2]Die Strecke führte über {km} Kilometer durch den Ort und am Ufer der {river} entlang. Für Kinder gab es einen eigenen Lauf über einen Kilometer.",
            "[2]Der Erlös des Laufs geht in diesem Jahr an den Förderverein der Grundschule, der damit neue Spielgeräte anschaffen will.",
            "[0,1]Verletzungssorgen plagen die Mannschaft seit Wochen. Gleich {n} Spieler aus dem erweiterten Kader fehlten am Wochenende.",
            "[0,1]Das nächste Spiel bestreitet der {club} am kommenden {next_weekday} auswärts beim Tabellennachbarn.",
            "[1]Die Gastgeber waren kurz vor der Pause nach einem abgefälschten Schuss in Führung gegangen.",
            "[1]Erst nach einem Doppelwechsel in der 70. Minute kam der {club} besser ins Spiel und erspielte sich mehrere Chancen.",
            "[2]Schnellster auf der Hauptstrecke war {scorer} aus {town2}, bei den Frauen gewann eine Läuferin des TSV Auental.",
            "[2]Die Freiwillige Feuerwehr sicherte die Strecke ab, Helfer verteilten im Ziel warmen Tee und Brezeln.",
            "[3]Die Mannschaft steht derzeit auf Rang {place} und hatte sich vor der Saison den Aufstieg zum Ziel gesetzt.",
            "[3]Bis ein Nachfolger gefunden ist, \u00fcbernimmt der bisherige Co-Trainer die Mannschaft. Er leitet bereits am Abend das erste Training.",
            "[3]{person} war seit drei Jahren im Amt und hatte den Verein in seiner ersten Saison zum Klassenerhalt gef\u00fchrt.",
            "[3]In der Mannschaft soll es zuletzt Unruhe gegeben haben, mehrere erfahrene Spieler hatten \u00f6ffentlich Kritik ge\u00fcbt.",
        ],
        "quotes": [
            "[0,1]„Die Mannschaft hat Moral gezeigt, das war heute entscheidend“, sagte Trainer {person} nach dem Spiel.",
            "[0]„Das war ein Sieg für die ganze Region“, sagte die Vereinsvorsitzende {person2}.",
            "[2]„Dass so viele trotz der Kälte gekommen sind, freut uns riesig“, sagte Organisatorin {person2}.",
            "[3]\u201eWir danken {person} f\u00fcr seine Arbeit, aber wir brauchen einen neuen Impuls\u201c, sagte die Vereinsvorsitzende {person2}.",
        ],
        "closings": [
            "[0,1]Karten für das nächste Heimspiel gibt es an der Tageskasse.",
            "[2]Die Ergebnislisten des Laufs sind auf der Seite des Vereins abrufbar.",
            "[2]Der nächste Lauf ist für den Frühsommer geplant.",
            "[3]Ein Nachfolger soll in den kommenden Tagen vorgestellt werden.",
        ],
    },
}


def values(rng: random.Random, day: date) -> dict[str, object]:
    """Placeholder values of one article."""
    towns = rng.sample(TOWNS, 2)
    surnames = rng.sample(LAST, 2)
    people = [f"{rng.choice(FIRST_M)} {surnames[0]}", f"{rng.choice(FIRST_F)} {surnames[1]}"]
    clubs = rng.sample(CLUBS, 2)
    streets = rng.sample(STREETS, 2)
    goals = sorted(rng.sample(range(0, 5), 2), reverse=True)
    votes = rng.randint(9, 16)
    return {
        "town": towns[0], "town2": towns[1], "person": people[0], "person2": people[1],
        "role": rng.choice(ROLES), "street": streets[0], "street2": streets[1],
        "river": rng.choice(RIVERS), "company": rng.choice(COMPANIES), "club": clubs[0],
        "rival": clubs[1], "goals_for": goals[0], "goals_against": goals[1],
        "scorer": f"{rng.choice(FIRST_M)} {rng.choice(LAST)}", "minute": rng.randint(82, 94),
        "minute2": rng.randint(5, 38), "place": rng.randint(2, 7),
        "n": rng.randint(3, 18), "n2": rng.randint(12, 60), "n3": rng.randint(300, 900),
        "big": f"{rng.randint(1, 4)}.{rng.randint(100, 999)}", "big2": rng.randint(80, 700),
        "pct": rng.randint(5, 30), "months": rng.randint(4, 10), "km": rng.randint(4, 14),
        "money": f"{rng.randint(12, 58) / 10:.1f} Millionen Euro".replace(".", ",")
        if rng.random() < 0.6 else f"{rng.randint(180, 950)}.000 Euro",
        "votes_for": votes, "votes_against": rng.randint(1, votes - 4),
        "weekday": WEEKDAYS[(day.weekday() - 1) % 7], "next_weekday": WEEKDAYS[rng.randint(0, 6)],
        "month": MONTHS[day.month - 1], "prev_month": MONTHS[day.month - 2],
    }

FIRST_F = ["Anna", "Katrin", "Miriam", "Sabine", "Elif", "Hannah", "Ulrike", "Lena", "Greta", "Ayşe"]
FIRST_M = ["Jonas", "Stefan", "Lukas", "Tobias", "Matthias", "Florian", "Deniz", "Karl", "Emre", "Paul"]
VOICE = "„{statement}“, sagt {name} {descriptor}."
DESCRIPTORS = [
    "aus {town2}", "aus der {street2}", "vom Heimatverein {town2}", "am Rande des Wochenmarkts",
    "aus {town}, seit {years} Jahren im Ort zu Hause", "({age}) aus {town2}",
    "beim Einkaufen in {town}", "aus einem Nachbarort",
]
VOICES: dict[str, list[str]] = {
    "region": [
        "Ich bin gespannt, ob das diesmal wirklich so kommt wie angekündigt",
        "Wir warten seit Jahren darauf, dass sich hier endlich etwas tut",
        "Für die Kinder im Ort ist das eine gute Nachricht",
        "Man hätte die Bürger früher und ehrlicher einbeziehen müssen",
        "Solange die Abgaben nicht steigen, habe ich nichts dagegen",
        "Die Sitzung war so voll wie seit langem nicht mehr",
        "[0,1,2]Hauptsache, die Arbeiten sind vor dem nächsten Winter fertig",
        "[3]Ohne Auto komme ich hier draußen kaum noch zum Arzt",
        "[3]Ich fahre gern ein paar Stunden in der Woche, wenn ich damit helfen kann",
    ],
    "verkehr": [
        "[0]Für mich bedeutet das jeden Tag zwanzig Minuten mehr im Auto",
        "[0]Die Brücke hat schon lange niemandem mehr vertraut",
        "[1]Mit den Enkeln fahre ich jetzt jeden Sonntag an der {river} entlang",
        "[1]Früher habe ich das Rad stehen lassen, weil es zu gefährlich war",
        "[2]Wenn der Zug zuverlässig fährt, lasse ich das Auto gerne stehen",
        "[2]Im Winter stand ich oft eine Stunde am Bahnsteig und habe gefroren",
        "Man merkt, dass sich im Landkreis endlich etwas bewegt",
        "Ich hoffe nur, dass die Pläne diesmal auch eingehalten werden",
    ],
    "wirtschaft": [
        "[0]Mein Nachbar arbeitet dort seit dreißig Jahren und ist sehr zufrieden",
        "[0]Neue Arbeitsplätze im Ort sind das Beste, was uns passieren kann",
        "[1]Ich kaufe Gemüse nur noch hier, das schmeckt einfach anders",
        "[1]Der Markt ist für viele Ältere auch ein Treffpunkt zum Reden",
        "[2]Meine Tochter hat eine Lehre als Elektrikerin gemacht und nie bereut",
        "[2]Die jungen Leute wissen gar nicht, wie gut man im Handwerk verdient",
        "Es tut gut, auch einmal positive Nachrichten aus der Region zu hören",
    ],
    "sport": [
        "[0,1]Ich gehe seit vierzig Jahren zu jedem Heimspiel, so ein Spiel vergisst man nicht",
        "[0,1]Die erste Halbzeit war zum Vergessen, die zweite dafür umso besser",
        "[2]Bei der Kälte war der warme Tee im Ziel das Beste am ganzen Tag",
        "[2]Ich bin zum ersten Mal mitgelaufen und nächstes Jahr bin ich wieder dabei",
        "Der Verein lebt von den vielen Ehrenamtlichen, das sollte man nicht vergessen",
        "[0,1,2]Die Stimmung im Ort ist im Moment richtig gut",
        "[3]Schade um ihn, aber so konnte es nicht weitergehen",
        "[3]Der Trainer war nicht das einzige Problem in dieser Mannschaft",
    ],
}


def voice_values(rng: random.Random, day: date) -> dict[str, object]:
    """Values of a vox-pop paragraph."""
    return {"name": f"{rng.choice(FIRST_F + FIRST_M)} {rng.choice(LAST)}", "town": rng.choice(TOWNS),
            "town2": rng.choice(TOWNS), "street2": rng.choice(STREETS),
            "years": rng.randint(6, 52), "age": rng.randint(19, 84), "river": rng.choice(RIVERS)}
