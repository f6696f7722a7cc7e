"""Spanish text pools of the demo's sports and culture site (invented towns, clubs and people).

Every sentence here was written for the demo. Placeholders are filled per article by `values`.
"""

from __future__ import annotations

import random
from datetime import date

TOWNS = ["Valdemora", "Puerto Alcaná", "Sierra Brava", "Villanueva del Tajo", "Olmedal",
         "Castrofrío", "San Lucián", "Almenara del Río", "Torrequebrada", "La Rambla Alta"]
FIRST = ["Lucía", "Javier", "Carmen", "Andrés", "Nerea", "Íñigo", "Marta", "Rubén", "Alba",
         "Sergio", "Paula", "Diego", "Irene", "Hugo"]
LAST = ["Arrieta", "Benavides", "Cifuentes", "Domínguez", "Echevarría", "Fuentealba", "Garrido",
        "Lozano", "Montiel", "Orozco", "Peñalver", "Quintana", "Robledo", "Salcedo"]
CLUBS = ["CD Valdemora", "Atlético Olmedal", "Real Sierra Brava", "UD Puerto Alcaná",
         "CF Castrofrío", "Deportivo San Lucián"]
TEAMS = ["Baloncesto Almenara", "CB Torrequebrada", "Club Rambla Basket", "Olmedal Canasta"]
VENUES = ["Teatro Principal", "Auditorio del Puerto", "Casa de la Cultura", "Sala La Fundición",
          "Museo de Bellas Artes"]
STAFF = ["Lucía Garrido", "Andrés Montiel", "Nerea Quintana", "Sergio Robledo"]
COMMENTERS = ["aficionado_valde", "Marisa", "Pepe del Puerto", "canasta_total", "J. Orozco",
              "la grada sur"]
COMMENTS = [
    "Por fin una alegría para la afición.",
    "El árbitro no estuvo a la altura, pero el equipo tampoco.",
    "Gran crónica, como siempre.",
    "¿Alguien sabe si quedan entradas para el domingo?",
    "Yo estuve y fue una noche inolvidable.",
    "Hay que fichar en enero, así no llegamos.",
]

MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
          "octubre", "noviembre", "diciembre"]
WEEKDAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
DATE_FORMAT = "{day} de {month} de {year}"
LABELS = {
    "home": "Portada", "published": "Publicado", "updated": "Actualizado", "by": "Por",
    "read_more": "Te puede interesar", "comments": "Comentarios de los lectores",
    "comment_count": "{n} comentarios", "newsletter": "Boletín de El Marcador",
    "newsletter_text": "Recibe cada mañana los resultados y la agenda cultural en tu correo.",
    "email": "Tu correo electrónico", "subscribe": "Suscribirme", "rights": "Todos los derechos reservados.",
    "archive": "Hemeroteca", "previous_day": "Día anterior", "next_day": "Día siguiente",
    "latest": "Últimas noticias", "articles_of": "Noticias del {date}", "skip": "Ir al contenido",
    "privacy": "Privacidad", "contact": "Contacto", "search": "Buscar", "share": "Compartir",
    "leave_comment": "Deja tu comentario",
}
TEASER_LABEL = "Lee también: {title}"

TOPICS: dict[str, dict[str, list[str]]] = {
    "futbol": {
        "headlines": [
            "[0]El {club} gana al {rival} por {goals_for}-{goals_against} y se acerca a los puestos de ascenso",
            "[0]La afición del {club} celebra la victoria ante el {rival}",
            "[1]Un gol en el descuento da un punto al {club} en el campo del {rival}",
            "[2]El {club} presenta a {person} como nuevo entrenador",
            "[3]Los alevines del {club} ganan el torneo de oto\u00f1o de {town}",
        ],
        "leads": [
            "El {club} venció este {weekday} al {rival} por {goals_for}-{goals_against} y escala hasta la {place}ª posición de la tabla, a solo {n} puntos del ascenso directo.",
            "Un cabezazo de {scorer} en el minuto {minute} salvó un punto para el {club}, que había jugado con uno menos durante toda la segunda parte en el campo del {rival}.",
            "El {club} presentó este {weekday} a {person} como nuevo entrenador, apenas una semana después de la destitución de su predecesor.",
            "El equipo alev\u00edn del {club} se proclam\u00f3 este {weekday} campe\u00f3n del torneo de oto\u00f1o de {town}, en el que participaron {n3} equipos de toda la provincia.",
        ],
        "body": [
            "[0]El partido empezó con dominio local y el primer gol llegó en el minuto {minute2}, tras una jugada por la banda izquierda que terminó con un remate cruzado.",
            "[0]El {rival} reaccionó antes del descanso y estrelló un balón en el larguero, pero en la segunda mitad apenas inquietó la portería rival.",
            "[0,1]Más de {big} espectadores presenciaron el encuentro, una de las mejores entradas de la temporada.",
            "[2]El nuevo técnico llega después de dos temporadas en el filial, donde consiguió el ascenso de categoría y dio la oportunidad a varios jugadores de la cantera.",
            "[0,1,2]Las lesiones siguen castigando a la plantilla. El cuerpo técnico no pudo contar con {n2} futbolistas, entre ellos el capitán.",
            "[2]La directiva estudia incorporar un central en el mercado de invierno, aunque el presupuesto es limitado y no se descarta recurrir a una cesión.",
            "[0,1]El próximo compromiso del equipo será el {next_weekday} en casa, ante un rival directo en la lucha por la zona alta.",
            "[1]El {rival} se adelantó antes del descanso con un disparo desde fuera del área que sorprendió al guardameta.",
            "[1]La expulsión de un defensa en el minuto {minute2} obligó al técnico a reorganizar el equipo con tres centrales.",
            "[2]El técnico firmará por lo que resta de temporada y una más, con opción de renovación si el equipo logra el ascenso.",
            "[2]Dirigirá su primer entrenamiento mañana por la mañana en la ciudad deportiva, a puerta cerrada.",
            "[3]Los peque\u00f1os no perdieron ning\u00fan partido y en la final se impusieron por {goals_for}-{goals_against} al {rival}, el gran favorito.",
            "[3]El torneo, que cumple su d\u00e9cima edici\u00f3n, reuni\u00f3 a m\u00e1s de {big} personas entre familiares y aficionados durante todo el fin de semana.",
            "[3]Varios ojeadores de clubes de Primera Divisi\u00f3n siguieron los partidos desde la grada.",
            "[3]La organizaci\u00f3n destin\u00f3 la recaudaci\u00f3n del bar a una asociaci\u00f3n local de ayuda a familias con ni\u00f1os enfermos.",
        ],
        "quotes": [
            "[0,1]«El equipo ha demostrado carácter. No hemos jugado nuestro mejor partido, pero nunca dejamos de creer», declaró el entrenador, {person}, al término del encuentro.",
            "[2]«Vengo con mucha ilusión. Conozco la casa y sé lo que significa este escudo para la ciudad», afirmó {person} en su presentación.",
            "[1]«La afición ha estado increíble. Este punto es para ellos», dijo la delegada del club, {person2}.",
            "[3]\u00abLo importante es que disfruten y aprendan, los resultados vienen solos\u00bb, explic\u00f3 su entrenador, {person}.",
        ],
        "closings": [
            "[0,1]Las entradas para el próximo partido ya están a la venta en las taquillas del estadio.",
            "[0,1,2]El club informará en los próximos días sobre el estado de los lesionados.",
            "[0,1]El resumen del encuentro puede verse en el canal oficial del club.",
            "[3]El club celebrar\u00e1 el t\u00edtulo con una comida para las familias el pr\u00f3ximo {next_weekday}.",
        ],
    },
    "baloncesto": {
        "headlines": [
            "[0]El {team} suma su {nth} victoria seguida ante el {team2}",
            "[1]Triple sobre la bocina: el {team} tumba al líder",
            "[2]El {team} renueva a su base {person} hasta 2029",
            "[3]El {team} cae en la pr\u00f3rroga ante el {team2}",
        ],
        "leads": [
            "El {team} encadenó este {weekday} su {nth} victoria consecutiva tras imponerse al {team2} por {points_for} a {points_against} en un pabellón casi lleno.",
            "Un triple de {scorer} sobre la bocina dio la victoria al {team} ante el líder, el {team2}, por {points_for} a {points_against}.",
            "El {team} ha renovado a su base {person}, que seguirá en el club hasta 2029 tras una temporada en la que ha sido el máximo asistente de la liga.",
            "El {team} no pudo mantener su buena racha y cay\u00f3 este {weekday} ante el {team2} por {points_against} a {points_for}, tras una pr\u00f3rroga en la que se qued\u00f3 sin fuerzas.",
        ],
        "body": [
            "[0]El partido estuvo igualado durante tres cuartos, hasta que un parcial de {n3}-2 a mitad del último periodo rompió el marcador.",
            "[1]{scorer} fue el mejor de los suyos con {n3} puntos y {n} rebotes, y recibió una ovación al ser sustituido.",
            "[0]El equipo visitante llegaba con la baja de su pívot titular y lo acusó en la lucha por el rebote.",
            "[2]La renovación es una de las prioridades de la directiva, que quiere mantener el bloque que logró el ascenso hace dos temporadas.",
            "[0]El pabellón municipal de {town} registró una entrada de {big} aficionados, récord desde la inauguración de la nueva grada.",
            "[0,1,2]El conjunto se mantiene en la {place}ª plaza de la clasificación, empatado con otros dos equipos.",
            "[1]Las gradas del pabellón de {town} se quedaron pequeñas para un partido que se decidió en el último suspiro.",
            "[1]El líder llegaba invicto fuera de casa y con la mejor defensa de la competición, pero sufrió desde el primer minuto ante la presión local.",
            "[1]El {team2} llegó a mandar por once puntos en el tercer cuarto, pero la defensa zonal local le cerró el camino hacia el aro.",
            "[2]{person} llegó al club hace tres temporadas procedente de la liga portuguesa y se ha convertido en uno de los jugadores más queridos por la afición.",
            "[2]Esta campaña promedia {n} asistencias y {n3} puntos por partido.",
            "[2]La directiva no ha hecho públicas las cifras del nuevo contrato.",
            "[3]Los locales llegaron a mandar por {n} puntos al descanso, pero una serie de p\u00e9rdidas en el \u00faltimo cuarto permiti\u00f3 la remontada visitante.",
            "[3]Un tiro libre fallado a falta de cuatro segundos conden\u00f3 a los de {town} a jugar los cinco minutos extra.",
            "[3]La derrota deja al equipo en la {place}\u00aa plaza, aunque con un partido menos que la mayor\u00eda de sus rivales.",
            "[3]El cuerpo t\u00e9cnico lament\u00f3 la falta de acierto desde la l\u00ednea de tiros libres, donde el equipo anot\u00f3 solo la mitad de sus intentos.",
        ],
        "quotes": [
            "[0]«Hemos defendido como nunca en el último cuarto», explicó el entrenador, {person}.",
            "[2]«Aquí me siento en casa y quiero seguir creciendo con este proyecto», señaló {person}.",
            "[1]«Son partidos que se ganan con la cabeza tanto como con las piernas», resumió {scorer}.",
            "[3]\u00abHemos dejado escapar un partido que ten\u00edamos ganado, y eso duele\u00bb, reconoci\u00f3 el entrenador, {person}.",
        ],
        "closings": [
            "[0,2]El próximo partido se disputará el {next_weekday} a las 19.00 horas.",
            "[1,3]El club ha anunciado descuentos para abonados en el siguiente encuentro.",
            "[1]El equipo visitará al colista el próximo {next_weekday}.",
        ],
    },
    "cultura": {
        "headlines": [
            "[0]El {venue} de {town} agota las entradas para el estreno de «{work}»",
            "[1]Una exposición recorre cien años de fotografía en {town}",
            "[2]El festival de jazz de {town} anuncia su cartel con {n} conciertos",
            "[3]La banda municipal de {town} celebra su centenario con un concierto gratuito",
        ],
        "leads": [
            "El {venue} de {town} colgó este {weekday} el cartel de entradas agotadas para el estreno de «{work}», la nueva obra de la compañía local dirigida por {person}.",
            "Más de {n3}0 imágenes, muchas de ellas inéditas, componen la exposición que abre sus puertas esta semana en el {venue} de {town}.",
            "El festival de jazz de {town} presentó este {weekday} su programación, que incluye {n} conciertos repartidos entre el {venue} y varias plazas del casco antiguo.",
            "La banda municipal de {town} cumple cien a\u00f1os y lo celebrar\u00e1 el pr\u00f3ximo {next_weekday} con un concierto gratuito en el {venue}, con un programa que repasa un siglo de m\u00fasica popular.",
        ],
        "body": [
            "[0]La obra, una comedia sobre tres hermanas que heredan una vieja librería, se representará durante {n2} días y ya prepara una gira por la provincia.",
            "[1]La muestra está organizada por décadas y arranca con retratos de estudio de principios del siglo pasado, cedidos por familias de {town} y {town2}.",
            "[2]El presupuesto del festival asciende a {money}, financiado a partes iguales por el ayuntamiento y por patrocinadores privados.",
            "[2]Los organizadores destacan la presencia de músicos jóvenes de la región, que compartirán escenario con artistas de trayectoria internacional.",
            "[1]La entrada a la exposición es gratuita y se podrá visitar de martes a domingo hasta finales de {next_month}.",
            "[0]La compañía lleva más de veinte años sobre los escenarios y ha estrenado {n} montajes propios en ese tiempo.",
            "[2]El ayuntamiento habilitará autobuses nocturnos desde {town2} los días de mayor afluencia.",
            "[0]El montaje cuenta con seis actores y una escenografía construida por alumnos de la escuela de artes de {town2}.",
            "[1]Entre las piezas más llamativas figura una serie de vistas del puerto tomadas desde el campanario en los años cincuenta.",
            "[1]La exposición se completa con visitas guiadas para escolares y un taller de revelado los sábados por la mañana.",
            "[2]El concierto inaugural será gratuito y tendrá lugar en la plaza Mayor.",
            "[3]La formaci\u00f3n cuenta hoy con {n3} m\u00fasicos de entre doce y ochenta a\u00f1os, la mayor\u00eda formados en la escuela de m\u00fasica municipal.",
            "[3]Para la ocasi\u00f3n se ha recuperado una partitura de 1926 que se cre\u00eda perdida y que apareci\u00f3 en el archivo de una parroquia de {town2}.",
            "[3]El ayuntamiento ha editado un libro con fotograf\u00edas y recuerdos de antiguos integrantes de la banda.",
            "[3]El repertorio incluye pasodobles, zarzuela y una pieza compuesta para la ocasi\u00f3n por un antiguo alumno de la escuela.",
        ],
        "quotes": [
            "[0]«Queríamos hablar de lo que se pierde cuando cierra un comercio de barrio, pero con humor», explicó {person}.",
            "[1]«Cada fotografía cuenta una historia de la ciudad que muchos ya habían olvidado», señaló la comisaria, {person2}.",
            "[2]«El jazz tiene que salir a la calle y llegar a todo el mundo», defendió {person}, director del festival.",
            "[3]\u00abLa banda es parte de la vida del pueblo, ha tocado en todas sus fiestas y en todos sus duelos\u00bb, afirm\u00f3 su director, {person}.",
        ],
        "closings": [
            "[0]Las entradas para las funciones adicionales saldrán a la venta el próximo {next_weekday}.",
            "[2]El programa completo puede consultarse en la oficina de turismo.",
            "La organización recomienda reservar con antelación.",
            "[1]El horario de visita es de 10.00 a 14.00 y de 17.00 a 20.00 horas.",
            "[3]Las invitaciones pueden recogerse en la Casa de la Cultura hasta agotar existencias.",
        ],
    },
}


def values(rng: random.Random, day: date) -> dict[str, object]:
    """Placeholder values of one article."""
    towns = rng.sample(TOWNS, 2)
    surnames = rng.sample(LAST, 2)
    people = [f"{rng.choice(FIRST_M)} {surnames[0]}", f"{rng.choice(FIRST_F)} {surnames[1]}"]
    clubs = rng.sample(CLUBS, 2)
    teams = rng.sample(TEAMS, 2)
    goals = sorted(rng.sample(range(0, 5), 2), reverse=True)
    points = sorted(rng.sample(range(61, 98), 2), reverse=True)
    works = ["La librería de las tres hermanas", "Marea baja", "El último tranvía",
             "Cartas a Olmedal", "Noche de feria"]
    return {
        "town": towns[0], "town2": towns[1], "person": people[0], "person2": people[1],
        "club": clubs[0], "rival": clubs[1], "team": teams[0], "team2": teams[1],
        "venue": rng.choice(VENUES), "work": rng.choice(works),
        "goals_for": goals[0], "goals_against": goals[1],
        "points_for": points[0], "points_against": points[1],
        "scorer": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "minute": rng.randint(88, 95),
        "minute2": rng.randint(7, 41), "place": rng.randint(2, 8),
        "nth": rng.choice(["tercera", "cuarta", "quinta", "sexta"]),
        "n": rng.randint(3, 14), "n2": rng.randint(4, 12), "n3": rng.randint(12, 31),
        "big": f"{rng.randint(2, 9)}.{rng.randint(100, 999)}",
        "money": f"{rng.randint(90, 480)}.000 euros",
        "weekday": WEEKDAYS[(day.weekday() - 1) % 7], "next_weekday": WEEKDAYS[rng.randint(0, 6)],
        "next_month": MONTHS[day.month % 12],
    }

FIRST_F = ["Lucía", "Carmen", "Nerea", "Marta", "Alba", "Paula", "Irene", "Rocío", "Elena", "Ainhoa"]
FIRST_M = ["Javier", "Andrés", "Íñigo", "Rubén", "Sergio", "Diego", "Hugo", "Álvaro", "Pablo", "Mario"]
VOICE = "«{statement}», comenta {name}, {descriptor}."
DESCRIPTORS = [
    "de {town2}", "que lleva {years} años sin faltar a una cita", "que viajó desde {town2}",
    "de {age} años", "en declaraciones a este periódico", "que no se pierde una cita en {town}",
    "estudiante de {town2}", "a la salida del recinto",
]
VOICES: dict[str, list[str]] = {
    "futbol": [
        "[0,1]Llevo toda la vida en esta grada y pocas veces he sufrido tanto",
        "[0,1]El equipo ha dado un paso adelante y la gente lo nota",
        "[2]Conoce la casa y eso ahora mismo vale más que cualquier fichaje",
        "[2]Hacía falta un cambio, el vestuario estaba apagado",
        "Los chavales de la cantera son lo mejor que tenemos",
        "Vengo con mi hijo cada domingo y ya se sabe todas las canciones",
        "[0,1,2]Este año sí, este año tiene que ser el del ascenso",
        "[3]Mi hijo no ha dormido en toda la noche de los nervios",
        "[3]Es una alegría ver a los niños disfrutar así del fútbol",
    ],
    "baloncesto": [
        "[0,1]El pabellón se ha venido abajo en los últimos segundos",
        "[0,1]Hacía años que no veía a este equipo defender así",
        "[2]Es el alma del equipo, renovarle era obligatorio",
        "[2]Ojalá se retire aquí, se lo ha ganado",
        "Cada vez viene más gente joven a los partidos y eso da gusto",
        "La entrada sigue siendo barata para lo que se ve en la pista",
        "[3]Se nos ha escapado en los detalles, pero el equipo lo ha dado todo",
        "[3]Hay que mejorar los tiros libres, así no se puede ganar",
    ],
    "cultura": [
        "[0]Me he reído muchísimo, y al final casi lloro",
        "[0]Es la tercera vez que intento conseguir entradas y por fin lo he logrado",
        "[1]He encontrado una foto de mi abuelo en el puerto, no me lo podía creer",
        "[1]Es una manera preciosa de recordar cómo era el barrio",
        "[2]Que haya conciertos gratis en la calle acerca la música a todo el mundo",
        "[2]Vengo cada año y el cartel de este es el mejor que recuerdo",
        "Hacen falta más propuestas así durante todo el año",
        "La ciudad está muy viva culturalmente, y eso se nota en la calle",
        "[3]Mi padre tocó el clarinete en esta banda durante cuarenta años",
        "[3]Cuando suena el pasodoble de las fiestas se me pone la piel de gallina",
    ],
}


def voice_values(rng: random.Random, day: date) -> dict[str, object]:
    """Values of a vox-pop paragraph."""
    return {"name": f"{rng.choice(FIRST_F + FIRST_M)} {rng.choice(LAST)}", "town": rng.choice(TOWNS),
            "town2": rng.choice(TOWNS), "years": rng.randint(6, 52), "age": rng.randint(19, 84)}
