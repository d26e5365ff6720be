//! Value pools and generators for the assistant suite, and the train/eval value split.
//!
//! Every string an answer can contain is produced here. Pools are split by position (every
//! fourth entry, `i % 4 == 3`, belongs to the eval side) and composed values take all their
//! fragments from one side, so a dev/test/heldout value never occurs as a training value.
//! Values that are generated rather than listed (times, dates, numbers, ids) are split by a
//! stable hash of what they denote. The split never depends on `--seed`: train generated with
//! any seed stays disjoint from the committed eval files.

use super::rng::{hash_str, mix, Rng};

/// Which half of every pool a split draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Train,
    Eval,
}

/// The side a pool entry at position `i` belongs to.
pub fn side_of_index(i: usize) -> Side {
    if i % 4 == 3 {
        Side::Eval
    } else {
        Side::Train
    }
}

/// The side of a hash-split value (numbers, ids, times, dates), from its canonical text.
pub fn side_of_key(key: &str) -> Side {
    if hash_str(key) % 4 == 3 {
        Side::Eval
    } else {
        Side::Train
    }
}

/// What a string parameter holds; decides the pool or generator its values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// A first name, sometimes with a surname.
    Person,
    /// A person or an email address (email recipients).
    EmailRecipient,
    Email,
    Phone,
    City,
    /// A street address or a named landmark.
    Place,
    PlaceType,
    Room,
    Time,
    Date,
    /// Alarm and timer labels.
    Label,
    /// Free text of a chat message or email body.
    Message,
    /// Free text of a note.
    NoteText,
    NoteTitle,
    /// A to-do phrase in the imperative ("call the plumber").
    Task,
    EventTitle,
    ListName,
    ListItem,
    Song,
    Artist,
    Playlist,
    Podcast,
    SearchTerms,
    Subject,
    Product,
    OrderId,
    FlightNumber,
    Album,
    Restaurant,
    Dish,
    /// A sentence to translate.
    Phrase,
    /// A payment memo.
    Memo,
}

impl ValueKind {
    /// Free text may contain "and", commas and other words a joiner could be mistaken for, so a
    /// template that ends in it must end the whole query.
    pub fn is_open_ended(self) -> bool {
        matches!(
            self,
            ValueKind::Message | ValueKind::NoteText | ValueKind::Task | ValueKind::Phrase
        )
    }

    /// Every kind, for tests and documentation.
    pub const ALL: &'static [ValueKind] = &[
        ValueKind::Person,
        ValueKind::EmailRecipient,
        ValueKind::Email,
        ValueKind::Phone,
        ValueKind::City,
        ValueKind::Place,
        ValueKind::PlaceType,
        ValueKind::Room,
        ValueKind::Time,
        ValueKind::Date,
        ValueKind::Label,
        ValueKind::Message,
        ValueKind::NoteText,
        ValueKind::NoteTitle,
        ValueKind::Task,
        ValueKind::EventTitle,
        ValueKind::ListName,
        ValueKind::ListItem,
        ValueKind::Song,
        ValueKind::Artist,
        ValueKind::Playlist,
        ValueKind::Podcast,
        ValueKind::SearchTerms,
        ValueKind::Subject,
        ValueKind::Product,
        ValueKind::OrderId,
        ValueKind::FlightNumber,
        ValueKind::Album,
        ValueKind::Restaurant,
        ValueKind::Dish,
        ValueKind::Phrase,
        ValueKind::Memo,
    ];

    /// A fresh value of this kind from `side`.
    pub fn generate(self, side: Side, rng: &mut Rng) -> String {
        match self {
            ValueKind::Person => person(side, rng),
            ValueKind::EmailRecipient => {
                if rng.chance(1, 2) {
                    person(side, rng)
                } else {
                    email(side, rng)
                }
            }
            ValueKind::Email => email(side, rng),
            ValueKind::Phone => phone(side, rng),
            ValueKind::City => pick(CITIES, side, rng).to_string(),
            ValueKind::Place => place(side, rng),
            ValueKind::PlaceType => pick(PLACE_TYPES, side, rng).to_string(),
            ValueKind::Room => pick(ROOMS, side, rng).to_string(),
            ValueKind::Time => time(side, rng),
            ValueKind::Date => date(side, rng),
            ValueKind::Label => pick(LABELS, side, rng).to_string(),
            ValueKind::Message => expand(pick(MESSAGES, side, rng), side, rng),
            ValueKind::NoteText => expand(pick(NOTE_TEXTS, side, rng), side, rng),
            ValueKind::NoteTitle => expand(pick(NOTE_TITLES, side, rng), side, rng),
            ValueKind::Task => expand(pick(TASKS, side, rng), side, rng),
            ValueKind::EventTitle => expand(pick(EVENT_TITLES, side, rng), side, rng),
            ValueKind::ListName => pick(LIST_NAMES, side, rng).to_string(),
            ValueKind::ListItem => pick(LIST_ITEMS, side, rng).to_string(),
            ValueKind::Song => {
                // The noun decides the side; adjectives are shared vocabulary.
                let adj = rng.pick(SONG_ADJECTIVES);
                format!("{adj} {}", pick(SONG_NOUNS, side, rng))
            }
            ValueKind::Artist => {
                if rng.chance(1, 2) {
                    let adj = rng.pick(SONG_ADJECTIVES);
                    format!("The {adj} {}", pick(BAND_NOUNS, side, rng))
                } else {
                    full_name(side, rng)
                }
            }
            ValueKind::Playlist => {
                let genre = rng.pick(GENRES);
                format!("{} {genre}", pick(MOODS, side, rng))
            }
            ValueKind::Podcast => expand(rng.pick::<&str>(PODCAST_PATTERNS), side, rng),
            ValueKind::SearchTerms => expand(pick(SEARCH_TERMS, side, rng), side, rng),
            ValueKind::Subject => expand(pick(SUBJECTS, side, rng), side, rng),
            ValueKind::Product => pick(PRODUCTS, side, rng).to_string(),
            ValueKind::OrderId => hashed(side, rng, |r| {
                let a = LETTERS[r.below(LETTERS.len())] as char;
                let b = LETTERS[r.below(LETTERS.len())] as char;
                format!("{a}{b}-{}", r.range(10000, 99999))
            }),
            ValueKind::FlightNumber => hashed(side, rng, |r| {
                format!("{}{}", r.pick(AIRLINES), r.range(12, 2999))
            }),
            ValueKind::Album => expand(pick(ALBUMS, side, rng), side, rng),
            ValueKind::Restaurant => expand(pick(RESTAURANTS, side, rng), side, rng),
            ValueKind::Dish => pick(DISHES, side, rng).to_string(),
            ValueKind::Phrase => pick(PHRASES, side, rng).to_string(),
            ValueKind::Memo => expand(pick(MEMOS, side, rng), side, rng),
        }
    }
}

/// An entry of `pool` on `side`, chosen uniformly.
pub fn pick(pool: &'static [&'static str], side: Side, rng: &mut Rng) -> &'static str {
    pool.get(pick_index(pool, side, rng))
        .copied()
        .unwrap_or_default()
}

/// The index of an entry of `pool` on `side`, chosen uniformly.
pub fn pick_index(pool: &[&str], side: Side, rng: &mut Rng) -> usize {
    let count = (0..pool.len())
        .filter(|&i| side_of_index(i) == side)
        .count();
    let k = rng.below(count);
    (0..pool.len())
        .filter(|&i| side_of_index(i) == side)
        .nth(k)
        .unwrap_or(0)
}

/// Draws from `make` until the value's hash puts it on `side`. Every generator here has both
/// sides well populated, so the bound is never reached in practice.
fn hashed(side: Side, rng: &mut Rng, mut make: impl FnMut(&mut Rng) -> String) -> String {
    let mut value = make(rng);
    for _ in 0..1000 {
        if side_of_key(&value) == side {
            break;
        }
        value = make(rng);
    }
    value
}

/// An integer in `lo..=hi` whose decimal text is on `side`; `None` when the range has none.
pub fn int_on_side(lo: i64, hi: i64, side: Side, rng: &mut Rng) -> Option<i64> {
    let candidates: Vec<i64> = (lo..=hi)
        .filter(|v| side_of_key(&v.to_string()) == side)
        .collect();
    if candidates.is_empty() {
        return None;
    }
    Some(candidates[rng.below(candidates.len())])
}

/// `units / scale` as the shortest decimal text ("21.5", "12.75", "30").
pub fn decimal_text(units: i64, scale: i64) -> String {
    if scale <= 1 {
        return units.to_string();
    }
    let digits = scale.to_string().len() - 1;
    let whole = units / scale;
    let frac = (units % scale).abs();
    if frac == 0 {
        return whole.to_string();
    }
    let mut frac_text = format!("{frac:0digits$}");
    while frac_text.ends_with('0') {
        frac_text.pop();
    }
    format!("{whole}.{frac_text}")
}

fn person(side: Side, rng: &mut Rng) -> String {
    if rng.chance(1, 3) {
        full_name(side, rng)
    } else {
        pick(FIRST_NAMES, side, rng).to_string()
    }
}

fn full_name(side: Side, rng: &mut Rng) -> String {
    // The first name decides the side; surnames are shared, which still keeps full names apart.
    let first = pick(FIRST_NAMES, side, rng);
    format!("{first} {}", rng.pick(LAST_NAMES))
}

fn email(side: Side, rng: &mut Rng) -> String {
    let first = pick(FIRST_NAMES, side, rng).to_lowercase();
    let last = rng.pick(LAST_NAMES).to_lowercase();
    format!("{first}.{last}@{}", rng.pick(EMAIL_DOMAINS))
}

fn phone(side: Side, rng: &mut Rng) -> String {
    hashed(side, rng, |r| {
        let tail = format!("01{:02}", r.range(0, 99));
        match r.below(3) {
            0 => format!("555-{tail}"),
            1 => format!("{}-555-{tail}", r.pick(AREA_CODES)),
            _ => format!("({}) 555-{tail}", r.pick(AREA_CODES)),
        }
    })
}

fn place(side: Side, rng: &mut Rng) -> String {
    let street = pick(STREETS, side, rng);
    if rng.chance(1, 2) {
        format!(
            "{} {street} {}",
            rng.range(1, 999),
            rng.pick(STREET_SUFFIXES)
        )
    } else {
        format!("{street} {}", rng.pick(LANDMARKS))
    }
}

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A clock time as people type it ("7:30 am", "19:45", "6 pm"); the minute of the day decides
/// the side, so one instant never appears on both sides in different spellings.
pub fn time(side: Side, rng: &mut Rng) -> String {
    loop {
        let hour = rng.range(0, 23);
        let minute = rng.range(0, 11) * 5;
        let on_side = if mix((hour * 60 + minute) as u64) % 4 == 3 {
            Side::Eval
        } else {
            Side::Train
        };
        if on_side != side {
            continue;
        }
        let h12 = match hour % 12 {
            0 => 12,
            h => h,
        };
        let ampm = if hour < 12 { "am" } else { "pm" };
        let style = if minute == 0 {
            rng.below(3)
        } else {
            rng.below(2)
        };
        return match style {
            0 => format!("{h12}:{minute:02} {ampm}"),
            1 => format!("{hour:02}:{minute:02}"),
            _ => format!("{h12} {ampm}"),
        };
    }
}

/// A calendar date as "March 14"; the month and day decide the side.
pub fn date(side: Side, rng: &mut Rng) -> String {
    loop {
        let month = rng.below(12);
        let day = rng.range(1, 28);
        let on_side = if mix((month as u64) * 100 + day as u64 + 7_000) % 4 == 3 {
            Side::Eval
        } else {
            Side::Train
        };
        if on_side == side {
            return format!("{} {day}", MONTHS[month]);
        }
    }
}

/// Fills `<name>` placeholders of a composed pattern with fragments from `side`.
pub fn expand(pattern: &str, side: Side, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        match fill(name, side, rng) {
            Some(v) => out.push_str(&v),
            None => {
                out.push('<');
                out.push_str(name);
                out.push('>');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The fragment for one placeholder name, or `None` for an unknown name.
pub fn fill(name: &str, side: Side, rng: &mut Rng) -> Option<String> {
    let pool: &'static [&'static str] = match name {
        "first" => FIRST_NAMES,
        "item" => LIST_ITEMS,
        "city" => CITIES,
        "room" => ROOMS,
        "weekday" => WEEKDAYS_CAP,
        "thing" => THANKABLES,
        "event" => OCCASIONS,
        "bill" => BILLS,
        "returnable" => RETURNABLES,
        "appointment" => APPOINTMENTS,
        "topic" => TOPICS,
        "Topic" => TOPICS_TITLE,
        "document" => DOCUMENTS,
        "pet" => PETS,
        "gadget" => GADGETS,
        "checkable" => CHECKABLES,
        "subscription" => SUBSCRIPTIONS,
        "meat" => MEATS,
        "packable" => PACKABLES,
        "medicine" => MEDICINES,
        "plant" => PLANTS,
        "professional" => PROFESSIONALS,
        "sport" => SPORTS,
        "company" => COMPANIES,
        "dish" => DISHES,
        "spot" => HIDING_SPOTS,
        "paint" => PAINT_COLORS,
        "season" => SEASONS,
        "surname" => LAST_NAMES,
        "eatery" => EATERY_KINDS,
        "country" => COUNTRIES,
        "animal" => ANIMALS,
        "book" => BOOKS,
        "subject" => SCHOOL_SUBJECTS,
        "name" => return Some(person(side, rng)),
        "place" => return Some(place(side, rng)),
        "time" => return Some(time(side, rng)),
        "restaurant" => return Some(expand(pick(RESTAURANTS, side, rng), side, rng)),
        "n" => {
            return Some(hashed(side, rng, |r| r.range(2, 45).to_string()));
        }
        "year" => {
            return Some(hashed(side, rng, |r| r.range(2012, 2025).to_string()));
        }
        "seat" => {
            return Some(hashed(side, rng, |r| {
                let letter = b"ABCDEF"[r.below(6)] as char;
                format!("{}{letter}", r.range(1, 40))
            }));
        }
        "code" => {
            return Some(hashed(side, rng, |r| {
                format!("{}{}", r.pick(CODE_WORDS), r.range(10, 9999))
            }));
        }
        _ => return None,
    };
    Some(pick(pool, side, rng).to_string())
}

/// Every placeholder name `fill` understands, for tests.
pub const PLACEHOLDERS: &[&str] = &[
    "first",
    "item",
    "city",
    "room",
    "weekday",
    "thing",
    "event",
    "bill",
    "returnable",
    "appointment",
    "topic",
    "Topic",
    "document",
    "pet",
    "gadget",
    "checkable",
    "subscription",
    "meat",
    "packable",
    "medicine",
    "plant",
    "professional",
    "sport",
    "company",
    "dish",
    "spot",
    "paint",
    "season",
    "surname",
    "eatery",
    "country",
    "animal",
    "book",
    "subject",
    "name",
    "place",
    "time",
    "restaurant",
    "n",
    "year",
    "seat",
    "code",
];

/// Every composed pattern list, for tests that check placeholders resolve.
pub const PATTERN_POOLS: &[(&str, &[&str])] = &[
    ("messages", MESSAGES),
    ("note_texts", NOTE_TEXTS),
    ("note_titles", NOTE_TITLES),
    ("tasks", TASKS),
    ("event_titles", EVENT_TITLES),
    ("podcasts", PODCAST_PATTERNS),
    ("search_terms", SEARCH_TERMS),
    ("subjects", SUBJECTS),
    ("albums", ALBUMS),
    ("restaurants", RESTAURANTS),
    ("memos", MEMOS),
    ("out_of_scope", OUT_OF_SCOPE),
];

const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const AIRLINES: &[&str] = &[
    "UA", "DL", "AA", "BA", "LH", "AF", "KL", "QF", "NH", "EK", "AC", "IB",
];
const AREA_CODES: &[&str] = &[
    "212", "415", "312", "617", "206", "303", "512", "702", "404", "305", "503", "614",
];
const EMAIL_DOMAINS: &[&str] = &["example.com", "example.org", "example.net", "mail.example"];
const STREET_SUFFIXES: &[&str] = &["Street", "Avenue", "Road", "Lane", "Drive", "Boulevard"];
const LANDMARKS: &[&str] = &[
    "Park",
    "Library",
    "Mall",
    "Station",
    "Hospital",
    "Stadium",
    "High School",
    "Community Center",
    "Farmers Market",
    "Medical Center",
];
const CODE_WORDS: &[&str] = &[
    "maple", "tiger", "rocket", "pebble", "cobalt", "lemon", "falcon", "sunny",
];

/// Also read by the out-of-scope generator and the catalogue's weekday enum.
pub const WEEKDAYS_CAP: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub const FIRST_NAMES: &[&str] = &[
    "Maria", "James", "Priya", "Chen", "Ahmed", "Sofia", "Lucas", "Aisha", "Noah", "Emma", "Mateo",
    "Yuki", "Omar", "Chloe", "Daniel", "Fatima", "Leo", "Hannah", "Ravi", "Grace", "Diego", "Mei",
    "Samuel", "Zara", "Ethan", "Amara", "Jonas", "Nina", "Tomas", "Leila", "Oliver", "Ines",
    "Kenji", "Ruth", "Marco", "Anya", "Felix", "Rosa", "Hugo", "Layla", "Isaac", "Elena", "Kofi",
    "Julia", "Arjun", "Clara", "Mohammed", "Eva", "Santiago", "Ingrid", "Tariq", "Lucy", "Pablo",
    "Nadia", "Victor", "Alice", "Jamal", "Helen", "Andre", "Mila", "Rahul", "Sara", "Erik",
    "Beatriz", "Kwame", "Lena", "Javier", "Olga", "Dmitri", "Nora", "Hassan", "Irene", "Luca",
    "Ama", "George", "Freya", "Kai", "Paula", "Emeka", "Vera", "Tom", "Alma", "Rafael", "Dana",
    "Ivan", "Maya", "Pedro", "Keiko", "Simon", "Esther", "Ali", "Greta", "Bruno", "Ada", "Yusuf",
    "Iris", "Carlos", "Jade", "Anton", "Lina", "Malik", "Rita", "Oscar", "Tessa", "Raj", "Mira",
    "Adam", "Selin", "Finn", "Noor", "Caleb", "Elif", "Zane", "Ruby", "Amir", "Theo", "Wanda",
    "Boris", "Hana", "Nikhil",
];

pub const LAST_NAMES: &[&str] = &[
    "Lopez",
    "Smith",
    "Patel",
    "Nguyen",
    "Kim",
    "Garcia",
    "Okafor",
    "Muller",
    "Rossi",
    "Silva",
    "Cohen",
    "Novak",
    "Tanaka",
    "Khan",
    "Johansson",
    "Dubois",
    "Fischer",
    "Mensah",
    "Costa",
    "Ivanova",
    "Haddad",
    "Moreno",
    "Walsh",
    "Brown",
    "Singh",
    "Yilmaz",
    "Kowalski",
    "Schmidt",
    "Reyes",
    "Adeyemi",
    "Larsen",
    "Byrne",
    "Sato",
    "Ortiz",
    "Weber",
    "Hughes",
    "Romero",
    "Das",
    "Lindqvist",
    "Murphy",
    "Petrov",
    "Santos",
    "Wright",
    "Chung",
    "Osei",
    "Bauer",
    "Marino",
    "Flores",
    "Bianchi",
    "Andersen",
    "Gupta",
    "Clarke",
    "Vargas",
    "Horvat",
    "Lee",
    "Moss",
    "Ward",
    "Stone",
    "Duarte",
    "Ferreira",
];

pub const CITIES: &[&str] = &[
    "Lisbon",
    "Oslo",
    "Denver",
    "Nairobi",
    "Osaka",
    "Seattle",
    "Madrid",
    "Toronto",
    "Cairo",
    "Lima",
    "Dublin",
    "Austin",
    "Prague",
    "Mumbai",
    "Sydney",
    "Chicago",
    "Vienna",
    "Bogota",
    "Helsinki",
    "Boston",
    "Seoul",
    "Athens",
    "Phoenix",
    "Accra",
    "Munich",
    "Montreal",
    "Hanoi",
    "Portland",
    "Kyoto",
    "Edinburgh",
    "Miami",
    "Warsaw",
    "Jakarta",
    "Dallas",
    "Zurich",
    "Marrakesh",
    "Vancouver",
    "Budapest",
    "Manila",
    "Atlanta",
    "Stockholm",
    "Casablanca",
    "Melbourne",
    "Florence",
    "Istanbul",
    "Houston",
    "Copenhagen",
    "Lagos",
    "Auckland",
    "Naples",
    "Bangkok",
    "Nashville",
    "Krakow",
    "Dakar",
    "Calgary",
    "Seville",
    "Singapore",
    "Detroit",
    "Amsterdam",
    "Quito",
    "Brisbane",
    "Porto",
    "Taipei",
    "Boise",
    "Brussels",
    "Kampala",
    "Ottawa",
    "Valencia",
    "Hamburg",
    "Tucson",
    "Geneva",
    "Havana",
    "Perth",
    "Milan",
    "Shanghai",
    "Omaha",
    "Berlin",
    "Tunis",
    "Halifax",
    "Bilbao",
    "Busan",
    "Raleigh",
    "Dubrovnik",
    "Montevideo",
    "Adelaide",
    "Lyon",
    "Beijing",
    "Memphis",
    "Tallinn",
    "Cusco",
    "Winnipeg",
    "Granada",
    "Kolkata",
    "Sacramento",
    "Riga",
    "Fez",
    "Wellington",
    "Turin",
    "Chennai",
    "Pittsburgh",
    "Vilnius",
    "Medellin",
    "Hobart",
    "Marseille",
    "Delhi",
    "Cleveland",
    "Ljubljana",
    "Rotterdam",
    "Reykjavik",
    "Verona",
    "Dhaka",
    "Baltimore",
    "Bergen",
    "Antwerp",
    "Glasgow",
    "Salzburg",
    "Cordoba",
    "Tbilisi",
    "Innsbruck",
    "Galway",
];

const STREETS: &[&str] = &[
    "Maple",
    "Oak",
    "Cedar",
    "Pine",
    "Elm",
    "Birch",
    "Willow",
    "Chestnut",
    "Spruce",
    "Walnut",
    "Lakeview",
    "Hillcrest",
    "Riverside",
    "Church",
    "Mill",
    "Bridge",
    "Garden",
    "Forest",
    "Harbor",
    "Sunset",
    "Highland",
    "Meadow",
    "Spring",
    "Valley",
    "Orchard",
    "Ridge",
    "Summit",
    "Union",
    "Franklin",
    "Lincoln",
    "Madison",
    "Jefferson",
    "Grant",
    "Hamilton",
    "Adams",
    "Washington",
    "Fairview",
    "Greenwood",
    "Kingston",
    "Westgate",
];

pub const PLACE_TYPES: &[&str] = &[
    "coffee shop",
    "gas station",
    "pharmacy",
    "grocery store",
    "cash machine",
    "bakery",
    "hardware store",
    "post office",
    "gym",
    "parking garage",
    "bookstore",
    "laundromat",
    "vet clinic",
    "bike shop",
    "car wash",
    "public library",
    "pizza place",
    "florist",
    "dentist office",
    "walk-in clinic",
    "bank branch",
    "barber shop",
    "gelato shop",
    "phone repair shop",
    "playground",
    "swimming pool",
    "taco truck",
    "sushi restaurant",
    "thrift store",
    "charging station",
    "pet store",
    "movie theater",
];

pub const ROOMS: &[&str] = &[
    "living room",
    "kitchen",
    "bedroom",
    "office",
    "bathroom",
    "dining room",
    "hallway",
    "basement",
    "nursery",
    "guest room",
    "attic",
    "porch",
    "den",
    "playroom",
    "master bedroom",
    "laundry room",
    "study",
    "patio",
    "sunroom",
    "kids room",
    "back yard",
    "front hall",
    "mudroom",
    "workshop",
];

const LABELS: &[&str] = &[
    "gym",
    "meds",
    "school run",
    "noodles",
    "laundry",
    "tea",
    "pizza",
    "yoga",
    "bus",
    "standup",
    "nap",
    "dough",
    "boiled eggs",
    "revision",
    "piano practice",
    "vitamins",
    "dog walk",
    "pickup",
    "stew",
    "cookies",
    "workout",
    "train",
    "soccer",
    "homework",
    "steak",
    "oven",
    "meditation",
    "coffee",
    "plants",
    "roast",
    "swim lessons",
    "tennis",
];

const MESSAGES: &[&str] = &[
    "running <n> minutes late",
    "on my way",
    "can you pick up <item> on the way home",
    "meet me at <place>",
    "see you at <time>",
    "don't forget the <item>",
    "call me when you land",
    "happy birthday <first>",
    "dinner is ready",
    "I'll be home by <time>",
    "are we still on for <weekday>",
    "the meeting moved to <time>",
    "I left my keys at <place>",
    "can we talk later tonight",
    "thanks for the <thing>",
    "just landed in <city>",
    "traffic is terrible, be there soon",
    "good luck with the <event>",
    "the kids are asleep",
    "I'm at <place> now",
    "let's grab lunch on <weekday>",
    "bring <item> and <item>",
    "did you feed the <pet>",
    "the package arrived",
    "I parked near <place>",
    "running late, start without me",
    "love you, see you tonight",
    "the movie starts at <time>",
    "save me a seat",
    "can you call <first> back",
    "the plumber comes at <time>",
    "need anything from the store",
    "we're out of <item>",
    "I'll pick you up at <time>",
    "meeting ran long, leaving now",
    "tickets are booked for <weekday>",
    "congrats on the new job",
    "see you in <city>",
    "ok sounds good",
    "practice is cancelled today",
    "grab <item> if you can",
    "how was the <event>",
    "leaving <place> now",
    "the table is booked for <time>",
    "I'm outside",
    "text me when you're home",
    "<first> says hi",
    "your <item> is in the fridge",
];

const NOTE_TEXTS: &[&str] = &[
    "the wifi password is <code>",
    "parked on level <n>",
    "gift idea for <first>: <thing>",
    "<first>'s shoe size is <n>",
    "try the <dish> at <restaurant>",
    "the locker code is <code>",
    "<first> recommends <restaurant>",
    "ask <first> about the <topic> plan",
    "measure the <room> for new curtains",
    "my seat is <seat>",
    "the spare key is under the <spot>",
    "<first>'s flight lands at <time>",
    "buy more <item> next week",
    "paint for the <room> is <paint>",
    "idea for a <topic> newsletter",
    "the <professional> charges <n> dollars an hour",
    "<first> is allergic to <item>",
    "renew the <document> before <weekday>",
    "the <pet> eats twice a day",
    "the <topic> meeting is in room <n>",
    "<first> likes <dish>",
    "read <book> next",
    "the garage code is <code>",
    "call the <professional> about the <room>",
];

const NOTE_TITLES: &[&str] = &[
    "<topic> ideas",
    "<topic> plan",
    "<topic> notes",
    "<topic> checklist",
    "notes for <first>",
    "<first>'s birthday",
    "<room> project",
    "<city> packing",
];

const TASKS: &[&str] = &[
    "buy <item>",
    "call <first>",
    "pay the <bill> bill",
    "return the <returnable>",
    "water the plants",
    "book a <appointment> appointment",
    "email <first> about the <topic> report",
    "take out the trash",
    "renew my <document>",
    "pick up <first> from practice",
    "pick up <item>",
    "feed the <pet>",
    "send <first> the <topic> slides",
    "charge my <gadget>",
    "check the <checkable>",
    "submit the <topic> report",
    "order more <item>",
    "text <first> back",
    "clean the <room>",
    "stretch",
    "bring the <returnable> back",
    "move the car",
    "wish <first> happy birthday",
    "defrost the <meat>",
    "cancel the <subscription> subscription",
    "book the car service",
    "refill my prescription",
    "thank <first> for the <thing>",
    "drop off the <returnable>",
    "print the boarding passes",
    "pack the <packable>",
    "stop by <first>'s place",
    "take my <medicine>",
    "update the <topic> budget",
    "put the <item> in the fridge",
    "back up my photos",
    "follow up with <first>",
    "water the <plant>",
    "call the <professional>",
    "wrap <first>'s present",
];

const EVENT_TITLES: &[&str] = &[
    "dinner with <first>",
    "<first>'s birthday party",
    "team standup",
    "dentist appointment",
    "<topic> review",
    "coffee with <first>",
    "<sport> practice",
    "parent teacher conference",
    "<topic> workshop",
    "lunch with <first>",
    "<topic> kickoff",
    "yoga class",
    "haircut",
    "<first>'s recital",
    "book club",
    "<topic> sync",
    "date night",
    "<sport> game",
    "volunteer shift",
    "<first>'s farewell lunch",
    "vet appointment",
    "<topic> planning session",
    "brunch with <first>",
    "<subject> tutoring",
];

pub const LIST_NAMES: &[&str] = &[
    "grocery",
    "packing",
    "shopping",
    "to-do",
    "party",
    "hardware",
    "camping",
    "holiday gift",
    "school supplies",
    "moving",
    "gardening",
    "baby shower",
    "weekend",
    "Costco",
    "picnic",
    "beach trip",
    "birthday",
    "road trip",
    "Christmas",
    "wedding",
    "craft",
    "reading",
    "pet supplies",
    "farmers market",
];

pub const LIST_ITEMS: &[&str] = &[
    "eggs",
    "milk",
    "bread",
    "butter",
    "apples",
    "bananas",
    "coffee beans",
    "rice",
    "pasta",
    "onions",
    "garlic",
    "lemons",
    "cheddar",
    "yogurt",
    "spinach",
    "carrots",
    "olive oil",
    "oat milk",
    "cereal",
    "orange juice",
    "paper towels",
    "dish soap",
    "toothpaste",
    "shampoo",
    "trash bags",
    "flour",
    "sugar",
    "honey",
    "peanut butter",
    "avocados",
    "strawberries",
    "blueberries",
    "potatoes",
    "lettuce",
    "cucumbers",
    "bell peppers",
    "mushrooms",
    "salmon fillets",
    "ground turkey",
    "tortillas",
    "black beans",
    "chickpeas",
    "almonds",
    "granola",
    "tea bags",
    "sparkling water",
    "ice cream",
    "frozen peas",
    "chicken broth",
    "soy sauce",
    "maple syrup",
    "cinnamon",
    "basil",
    "limes",
    "grapes",
    "pears",
    "sourdough",
    "bagels",
    "cream cheese",
    "hummus",
    "crackers",
    "dark chocolate",
    "popcorn",
    "dog food",
    "cat litter",
    "sponges",
    "laundry detergent",
    "light bulbs",
    "tissues",
    "cotton swabs",
    "hand soap",
    "coffee filters",
    "brown rice",
    "lentils",
    "quinoa",
    "zucchini",
    "kale",
    "mangoes",
    "oranges",
    "walnuts",
];

const SONG_ADJECTIVES: &[&str] = &[
    "Golden", "Midnight", "Silver", "Electric", "Broken", "Wild", "Neon", "Quiet", "Summer",
    "Velvet", "Paper", "Crystal", "Lonely", "Burning", "Hidden", "Northern", "Endless", "Crimson",
    "Sweet", "Falling", "Distant", "Bitter", "Gentle", "Restless", "Frozen", "Secret", "Shining",
    "Lucky", "Faded", "Open",
];

const SONG_NOUNS: &[&str] = &[
    "Hour",
    "Rain",
    "Heart",
    "Road",
    "River",
    "Sky",
    "Dreams",
    "Lights",
    "Ocean",
    "Fire",
    "Garden",
    "Echo",
    "Horizon",
    "Skyline",
    "Memories",
    "Shadows",
    "Morning",
    "Highway",
    "Letters",
    "Waves",
    "Mountain",
    "Signal",
    "Window",
    "Stars",
    "Thunder",
    "Harbor",
    "Island",
    "Kingdom",
    "Mirror",
    "Satellite",
    "Season",
    "Shoreline",
    "Streets",
    "Tides",
    "Valley",
    "Wildfire",
    "Weekend",
    "Canyon",
    "Lantern",
    "Meadow",
];

const BAND_NOUNS: &[&str] = &[
    "Foxes",
    "Owls",
    "Pilots",
    "Tigers",
    "Sailors",
    "Ghosts",
    "Kites",
    "Wolves",
    "Ravens",
    "Lions",
    "Drifters",
    "Strangers",
    "Rebels",
    "Saints",
    "Comets",
    "Giants",
];

const MOODS: &[&str] = &[
    "Sunday",
    "Morning",
    "Chill",
    "Workout",
    "Road Trip",
    "Focus",
    "Rainy Day",
    "Party",
    "Late Night",
    "Dinner",
    "Summer",
    "Study",
    "Coffeehouse",
    "Throwback",
    "Sleepy",
    "Happy",
    "Running",
    "Weekend",
    "Cozy",
    "Beach",
    "Cooking",
    "Commute",
    "Gym",
    "Sunset",
];

const GENRES: &[&str] = &[
    "Jazz", "Hits", "Beats", "Indie", "Classics", "Acoustic", "Rock", "Soul", "Pop", "Lo-Fi",
    "Folk", "Mix", "Vibes", "Grooves", "Piano", "Blues",
];

const PODCAST_PATTERNS: &[&str] = &[
    "<Topic> Weekly",
    "<Topic> Hour",
    "<Topic> Today",
    "Inside <Topic>",
    "<Topic> Explained",
    "Daily <Topic>",
];

const TOPICS_TITLE: &[&str] = &[
    "History",
    "Science",
    "Startup",
    "Gardening",
    "Cooking",
    "Football",
    "Space",
    "Money",
    "Design",
    "Health",
    "Tech",
    "Music",
    "Film",
    "Travel",
    "Parenting",
    "Chess",
    "Politics",
    "Language",
    "Nature",
    "Crime",
    "Comedy",
    "Philosophy",
    "Architecture",
    "Wellness",
    "Economics",
    "Psychology",
    "Climate",
    "Poetry",
];

const TOPICS: &[&str] = &[
    "budget",
    "quarterly",
    "marketing",
    "travel",
    "design",
    "sales",
    "hiring",
    "project",
    "research",
    "safety",
    "training",
    "product",
    "finance",
    "launch",
    "roadmap",
    "inventory",
    "payroll",
    "audit",
    "science fair",
    "garden",
    "wedding",
    "holiday",
    "renovation",
    "fundraiser",
];

const SEARCH_TERMS: &[&str] = &[
    "<company> invoice",
    "receipt from <company>",
    "<topic> report",
    "flight confirmation",
    "<city> trip",
    "<first>'s address",
    "<topic> meeting",
    "tax documents",
    "<company> order",
    "password reset",
    "<topic> budget",
    "<dish> recipe",
    "<company> contract",
    "<first>'s phone number",
    "<topic> timeline",
    "<city> hotel booking",
];

const SUBJECTS: &[&str] = &[
    "<topic> update",
    "question about the <topic> plan",
    "<weekday> meeting",
    "invoice from <company>",
    "<topic> proposal",
    "notes from <weekday>",
    "vacation request",
    "<first>'s onboarding",
    "<topic> deadline",
    "lunch next week",
    "<city> offsite",
    "feedback on the <topic> draft",
];

pub const PRODUCTS: &[&str] = &[
    "wireless earbuds",
    "phone charger",
    "AA batteries",
    "yoga mat",
    "water bottle",
    "desk lamp",
    "running shoes",
    "backpack",
    "coffee grinder",
    "bluetooth speaker",
    "laptop stand",
    "electric toothbrush",
    "hiking socks",
    "rain jacket",
    "USB cable",
    "air fryer",
    "french press",
    "dumbbells",
    "phone case",
    "spiral notebook",
    "gel pens",
    "board game",
    "kitchen scale",
    "cast iron skillet",
    "throw pillow",
    "bath towels",
    "sunglasses",
    "winter gloves",
    "beanie",
    "wall clock",
    "picture frame",
    "extension cord",
    "smart plug",
    "HDMI cable",
    "mouse pad",
    "webcam",
    "ring light",
    "travel mug",
    "lunch box",
    "bike helmet",
    "camping tent",
    "sleeping bag",
    "headlamp",
    "cutting board",
    "chef knife",
    "blender",
    "toaster",
    "rice cooker",
    "scented candle",
    "plant pot",
    "tape measure",
    "screwdriver set",
    "hand mixer",
    "baking sheet",
    "wool sweater",
    "slippers",
    "mechanical keyboard",
    "computer monitor",
    "printer paper",
    "sticky notes",
    "jigsaw puzzle",
    "dog leash",
    "cat tree",
    "bird feeder",
    "shower curtain",
    "bedside table",
    "floor lamp",
    "mini fridge",
];

const ALBUMS: &[&str] = &[
    "<city> trip",
    "<first>'s wedding",
    "<first>'s birthday",
    "<season> <year>",
    "beach day",
    "camping weekend",
    "graduation",
    "<pet> pics",
];

const RESTAURANTS: &[&str] = &[
    "<surname>'s <eatery>",
    "The Golden <eatery>",
    "<city> <eatery>",
    "Little <city> <eatery>",
];

pub const DISHES: &[&str] = &[
    "pad thai",
    "margherita pizza",
    "chicken tikka masala",
    "veggie burger",
    "caesar salad",
    "pho",
    "sushi platter",
    "burrito bowl",
    "falafel wrap",
    "ramen",
    "lasagna",
    "fish tacos",
    "green curry",
    "dumplings",
    "fried rice",
    "chicken wings",
    "poke bowl",
    "gyro",
    "carbonara",
    "bibimbap",
    "quesadilla",
    "tom yum soup",
    "shawarma plate",
    "cheeseburger",
    "lentil soup",
    "spring rolls",
    "butter chicken",
    "miso soup",
    "pepperoni pizza",
    "chow mein",
    "enchiladas",
    "kung pao chicken",
    "greek salad",
    "club sandwich",
    "pulled pork sandwich",
    "samosas",
    "garlic naan",
    "tofu stir fry",
    "beef brisket",
    "clam chowder",
];

const PHRASES: &[&str] = &[
    "where is the train station",
    "thank you very much",
    "how much does this cost",
    "I would like a coffee",
    "good morning",
    "can I have the bill",
    "nice to meet you",
    "where is the bathroom",
    "I am allergic to peanuts",
    "what time does the museum open",
    "excuse me",
    "I don't understand",
    "see you tomorrow",
    "the food was delicious",
    "do you speak English",
    "I need a doctor",
    "one ticket please",
    "where can I buy stamps",
    "is this seat taken",
    "I lost my passport",
    "a table for two please",
    "what is your name",
    "good night",
    "the check please",
    "I am vegetarian",
    "it is very hot today",
    "where is the hotel",
    "call an ambulance",
    "I'm looking for the pharmacy",
    "have a nice day",
    "how far is the airport",
    "my name is Alex",
];

const MEMOS: &[&str] = &[
    "dinner",
    "concert tickets",
    "rent",
    "groceries",
    "the cab",
    "<first>'s gift",
    "utilities",
    "pizza night",
    "gas money",
    "the ski trip",
    "lunch",
    "movie tickets",
    "the <city> trip",
    "the electric bill",
    "brunch",
    "<sport> fees",
];

const THANKABLES: &[&str] = &[
    "flowers",
    "birthday card",
    "cookies",
    "ride",
    "book",
    "help yesterday",
    "advice",
    "lovely dinner",
    "wine",
    "photos",
    "recipe",
    "tickets",
    "scarf",
    "chocolates",
    "postcard",
    "plant",
];
const OCCASIONS: &[&str] = &[
    "interview",
    "exam",
    "recital",
    "game",
    "presentation",
    "race",
    "audition",
    "match",
    "concert",
    "surgery",
    "move",
    "trip",
];
const BILLS: &[&str] = &[
    "electric",
    "water",
    "phone",
    "internet",
    "gas",
    "credit card",
    "cable",
    "insurance",
];
const RETURNABLES: &[&str] = &[
    "library books",
    "rental skis",
    "blender",
    "jacket",
    "package",
    "drill",
    "ladder",
    "borrowed tent",
];
const APPOINTMENTS: &[&str] = &[
    "dentist",
    "doctor",
    "haircut",
    "eye exam",
    "vet",
    "physio",
    "dermatologist",
    "car inspection",
];
const DOCUMENTS: &[&str] = &[
    "passport",
    "driver's license",
    "library card",
    "gym membership",
    "car registration",
    "parking permit",
    "insurance policy",
    "visa",
];
const PETS: &[&str] = &[
    "cat", "dog", "fish", "rabbit", "hamster", "parrot", "turtle", "chickens",
];
const GADGETS: &[&str] = &[
    "phone",
    "laptop",
    "headphones",
    "watch",
    "tablet",
    "e-bike",
    "toothbrush",
    "camera",
];
const CHECKABLES: &[&str] = &[
    "tire pressure",
    "oil level",
    "mailbox",
    "oven",
    "garden hose",
    "fuse box",
    "water heater",
    "gutters",
];
const SUBSCRIPTIONS: &[&str] = &[
    "streaming",
    "magazine",
    "gym",
    "newspaper",
    "meal kit",
    "cloud storage",
    "music",
    "wine club",
];
const MEATS: &[&str] = &[
    "chicken",
    "salmon",
    "ground beef",
    "pork chops",
    "turkey",
    "shrimp",
];
const PACKABLES: &[&str] = &[
    "charger",
    "sunscreen",
    "swimsuit",
    "umbrella",
    "hiking boots",
    "rain jacket",
    "passport",
    "snacks",
];
const MEDICINES: &[&str] = &[
    "vitamins",
    "allergy pills",
    "antibiotics",
    "iron supplement",
    "medicine",
];
const PLANTS: &[&str] = &["tomatoes", "orchids", "herbs", "ferns", "roses", "cactus"];
const PROFESSIONALS: &[&str] = &[
    "plumber",
    "electrician",
    "landlord",
    "pediatrician",
    "accountant",
    "mechanic",
    "insurance agent",
    "babysitter",
];
const SPORTS: &[&str] = &[
    "soccer",
    "tennis",
    "swim",
    "basketball",
    "hockey",
    "volleyball",
    "baseball",
    "rugby",
];
const COMPANIES: &[&str] = &[
    "Brightline",
    "Kestrel",
    "Northwind",
    "Bluepeak",
    "Sunfield",
    "Redwood Bank",
    "Lumen Energy",
    "Cobalt Telecom",
    "Harbor Insurance",
    "Pinecrest",
    "Silverline",
    "Greenway",
    "Apex Fitness",
    "Orbit Mobile",
    "Meridian",
    "Summit Dental",
    "Cascade Water",
    "Evergreen Realty",
    "Atlas Movers",
    "Beacon Health",
];
const HIDING_SPOTS: &[&str] = &["doormat", "flower pot", "blue rock", "mailbox", "back step"];
const PAINT_COLORS: &[&str] = &[
    "sage green",
    "navy blue",
    "warm gray",
    "eggshell",
    "terracotta",
    "butter yellow",
];
const SEASONS: &[&str] = &["Spring", "Summer", "Autumn", "Winter"];
const EATERY_KINDS: &[&str] = &[
    "Pizzeria",
    "Diner",
    "Kitchen",
    "Grill",
    "Noodle Bar",
    "Taqueria",
    "Bistro",
    "Curry House",
    "Ramen Shop",
    "Deli",
    "Cantina",
    "Bakery",
];
const COUNTRIES: &[&str] = &[
    "Australia",
    "Canada",
    "Peru",
    "Kenya",
    "Norway",
    "Vietnam",
    "Chile",
    "Egypt",
    "Portugal",
    "Mongolia",
    "Ghana",
    "Iceland",
    "Morocco",
    "Nepal",
    "Uruguay",
    "Finland",
];
const ANIMALS: &[&str] = &[
    "octopuses",
    "penguins",
    "owls",
    "elephants",
    "bees",
    "otters",
    "giraffes",
    "sharks",
    "koalas",
    "crows",
    "dolphins",
    "ants",
];
const BOOKS: &[&str] = &[
    "Pride and Prejudice",
    "Moby Dick",
    "War and Peace",
    "Frankenstein",
    "Jane Eyre",
    "Dracula",
    "Don Quixote",
    "Little Women",
    "The Odyssey",
    "Middlemarch",
    "Great Expectations",
    "Emma",
];
const SCHOOL_SUBJECTS: &[&str] = &[
    "math",
    "chemistry",
    "Spanish",
    "physics",
    "biology",
    "piano",
    "history",
    "French",
];

/// Requests no tool in the catalogue can serve: general knowledge, chit-chat, writing. Kept
/// clear of anything an assistant tool does (weather, time, messaging, search, translation).
pub const OUT_OF_SCOPE: &[&str] = &[
    "what's the capital of <country>?",
    "tell me a joke",
    "who wrote <book>?",
    "how many legs does a spider have?",
    "write a haiku about autumn",
    "what does photosynthesis mean?",
    "give me a fun fact about <animal>",
    "explain how rainbows form",
    "what rhymes with orange?",
    "how do you spell necessary?",
    "what's the difference between a crocodile and an alligator?",
    "recommend a good book about space",
    "what year did the Berlin Wall fall?",
    "how tall is Mount Everest?",
    "summarize the plot of <book>",
    "tell me a bedtime story about <animal>",
    "what's a synonym for happy?",
    "how do I tie a bowline knot?",
    "why is the sky blue?",
    "who painted the Mona Lisa?",
    "how many ounces are in a pound?",
    "what's the plural of cactus?",
    "give me a riddle",
    "what does the word serendipity mean?",
    "how do bees make honey?",
    "which planet is the largest?",
    "what's a good name for a goldfish?",
    "what are the rules of chess?",
    "is a tomato a fruit?",
    "how do I boil an egg?",
    "what's the opposite of generous?",
    "write a short poem about <animal>",
    "who invented the telephone?",
    "what is the population of <country>?",
    "how do airplanes stay in the air?",
    "what's the national dish of <country>?",
    "why do cats purr?",
    "how long do <animal> live?",
    "explain gravity like I'm five",
    "who was the first person on the moon?",
];
