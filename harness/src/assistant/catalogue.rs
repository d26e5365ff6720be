//! The assistant tool catalogue as data: categories, tools with typed parameters, the query
//! phrasings of each tool (training and held-out), and which tools conflict in meaning.
//!
//! Phrasing syntax (rendered by `templates`): `{param}` inserts a value of the parameter;
//! `{param@form}` an enum value through one of its fixed synonym forms; `{param:yes|no}` a boolean
//! spelled by the template's own words; `{param=true}` sets a boolean the wording implies without
//! inserting text. A phrasing ending in `?` is a question and one starting with `^` is a statement;
//! only the remaining, verb-first phrasings take wrappers such as "can you … ?".

use serde_json::{json, Map, Value};

use super::values::ValueKind;

/// A closed set of string values plus fixed alternative spellings ("forms").
#[derive(Debug)]
pub struct EnumSpec {
    pub values: &'static [&'static str],
    /// `(form name, surfaces)`; `surfaces[i]` spells `values[i]`.
    pub forms: &'static [(&'static str, &'static [&'static str])],
}

impl EnumSpec {
    /// The surfaces of form `name`, if the enum has it.
    pub fn form(&self, name: &str) -> Option<&'static [&'static str]> {
        self.forms.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    }

    /// Every way value `i` can be written in a query: the literal and each form.
    pub fn spellings(&self, i: usize) -> Vec<&'static str> {
        let mut out = vec![self.values[i]];
        out.extend(self.forms.iter().filter_map(|(_, s)| s.get(i).copied()));
        out
    }
}

/// The JSON type of a parameter and how its values are produced.
#[derive(Debug)]
pub enum ParamType {
    Str(ValueKind),
    Int {
        min: i64,
        max: i64,
    },
    /// Decimal `units / scale` with `units` in `min..=max` and a multiple of `step`.
    Num {
        min: i64,
        max: i64,
        scale: i64,
        step: i64,
    },
    Bool,
    Enum(&'static EnumSpec),
    StrList {
        kind: ValueKind,
        min: usize,
        max: usize,
    },
    EnumList {
        spec: &'static EnumSpec,
        min: usize,
        max: usize,
    },
}

/// One parameter of a tool.
#[derive(Debug)]
pub struct ParamSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub ty: ParamType,
    pub required: bool,
}

/// One tool with its documentation and phrasings.
#[derive(Debug)]
pub struct ToolSpec {
    pub name: &'static str,
    pub category: &'static str,
    pub description: &'static str,
    pub params: &'static [ParamSpec],
    /// Phrasings used by the `train` split.
    pub phrasings: &'static [&'static str],
    /// Phrasings reserved for `dev`/`test`; never rendered into `train`.
    pub eval_phrasings: &'static [&'static str],
    /// Never offered, targeted or phrased in `train`; the subject of `heldout-tools`.
    pub heldout: bool,
    /// Tools (besides those in conflicting categories) that could serve this tool's requests,
    /// so `no_call` never offers them next to its query.
    pub conflicts: &'static [&'static str],
}

impl ToolSpec {
    pub fn param(&self, name: &str) -> Option<&'static ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// One category of the catalogue.
#[derive(Debug)]
pub struct CategorySpec {
    pub name: &'static str,
    pub description: &'static str,
}

const fn req(name: &'static str, description: &'static str, ty: ParamType) -> ParamSpec {
    ParamSpec {
        name,
        description,
        ty,
        required: true,
    }
}

const fn opt(name: &'static str, description: &'static str, ty: ParamType) -> ParamSpec {
    ParamSpec {
        name,
        description,
        ty,
        required: false,
    }
}

const fn tool(
    name: &'static str,
    category: &'static str,
    description: &'static str,
    params: &'static [ParamSpec],
    phrasings: &'static [&'static str],
    eval_phrasings: &'static [&'static str],
) -> ToolSpec {
    ToolSpec {
        name,
        category,
        description,
        params,
        phrasings,
        eval_phrasings,
        heldout: false,
        conflicts: &[],
    }
}

const fn heldout(t: ToolSpec) -> ToolSpec {
    ToolSpec { heldout: true, ..t }
}

const fn conflicting(t: ToolSpec, conflicts: &'static [&'static str]) -> ToolSpec {
    ToolSpec { conflicts, ..t }
}

use ParamType::{Bool, Enum, EnumList, Int, Num, Str, StrList};
use ValueKind as K;

pub const WEEKDAYS: EnumSpec = EnumSpec {
    values: &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ],
    forms: &[("cap", super::values::WEEKDAYS_CAP)],
};
pub const TRAVEL_MODES: EnumSpec = EnumSpec {
    values: &["driving", "walking", "transit", "cycling"],
    forms: &[("by", &["by car", "on foot", "by transit", "by bike"])],
};
pub const VIDEO_APPS: EnumSpec = EnumSpec {
    values: &["facetime", "whatsapp", "zoom", "skype"],
    forms: &[("cap", &["FaceTime", "WhatsApp", "Zoom", "Skype"])],
};
pub const LIGHT_COLORS: EnumSpec = EnumSpec {
    values: &[
        "white",
        "warm white",
        "red",
        "orange",
        "yellow",
        "green",
        "blue",
        "purple",
        "pink",
    ],
    forms: &[],
};
pub const THERMOSTAT_MODES: EnumSpec = EnumSpec {
    values: &["heat", "cool", "auto", "eco"],
    forms: &[],
};
pub const TEMP_UNITS: EnumSpec = EnumSpec {
    values: &["celsius", "fahrenheit"],
    forms: &[],
};
pub const ACTIVITIES: EnumSpec = EnumSpec {
    values: &[
        "running", "walking", "cycling", "swimming", "yoga", "strength", "hiking", "rowing",
    ],
    forms: &[(
        "noun",
        &[
            "run",
            "walk",
            "bike ride",
            "swim",
            "yoga session",
            "strength workout",
            "hike",
            "rowing session",
        ],
    )],
};
pub const CAMERAS: EnumSpec = EnumSpec {
    values: &["front", "back"],
    forms: &[],
};
pub const DOORS: EnumSpec = EnumSpec {
    values: &["front", "back", "garage", "side"],
    forms: &[],
};
pub const DEVICES: EnumSpec = EnumSpec {
    values: &["phone", "watch", "tablet", "earbuds"],
    forms: &[],
};
pub const RIDE_TYPES: EnumSpec = EnumSpec {
    values: &["standard", "premium", "shared", "large"],
    forms: &[],
};
pub const LANGUAGES: EnumSpec = EnumSpec {
    values: &[
        "spanish",
        "french",
        "german",
        "italian",
        "japanese",
        "portuguese",
        "korean",
        "dutch",
    ],
    forms: &[(
        "cap",
        &[
            "Spanish",
            "French",
            "German",
            "Italian",
            "Japanese",
            "Portuguese",
            "Korean",
            "Dutch",
        ],
    )],
};
pub const ACCOUNTS: EnumSpec = EnumSpec {
    values: &["checking", "savings", "credit"],
    forms: &[],
};
pub const CURRENCIES: EnumSpec = EnumSpec {
    values: &["USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "MXN"],
    forms: &[],
};

pub const CATEGORIES: &[CategorySpec] = &[
    CategorySpec {
        name: "alarms",
        description: "Alarms, timers and the stopwatch",
    },
    CategorySpec {
        name: "messaging",
        description: "Text messages",
    },
    CategorySpec {
        name: "calls",
        description: "Phone and video calls",
    },
    CategorySpec {
        name: "navigation",
        description: "Directions, nearby places, location sharing",
    },
    CategorySpec {
        name: "smart_home",
        description: "Lights, thermostat, vacuum, locks",
    },
    CategorySpec {
        name: "media",
        description: "Music, podcasts, playback",
    },
    CategorySpec {
        name: "calendar",
        description: "Calendar events",
    },
    CategorySpec {
        name: "notes",
        description: "Notes and lists",
    },
    CategorySpec {
        name: "reminders",
        description: "To-do reminders",
    },
    CategorySpec {
        name: "weather",
        description: "Weather, forecasts, air quality, sun times",
    },
    CategorySpec {
        name: "fitness",
        description: "Workouts, steps, water intake",
    },
    CategorySpec {
        name: "camera",
        description: "Photos, videos, screenshots, gallery",
    },
    CategorySpec {
        name: "device_settings",
        description: "Connectivity, display and focus settings",
    },
    CategorySpec {
        name: "email",
        description: "Sending, searching and replying to email",
    },
    CategorySpec {
        name: "shopping",
        description: "Online store cart, search and orders",
    },
    CategorySpec {
        name: "travel",
        description: "Flights, hotels, rental cars, rides",
    },
    CategorySpec {
        name: "contacts",
        description: "The address book",
    },
    CategorySpec {
        name: "translation",
        description: "Translating phrases (held out)",
    },
    CategorySpec {
        name: "payments",
        description: "Money transfers, balances, currency (held out)",
    },
    CategorySpec {
        name: "food",
        description: "Food delivery and restaurant tables (held out)",
    },
];

/// Categories whose tools overlap in what a user might ask; `no_call` never offers a tool of a
/// category that shares a group with its query's tool.
pub const CONFLICT_GROUPS: &[&[&str]] = &[
    &["alarms", "reminders", "calendar"],
    &["messaging", "calls", "email", "contacts"],
    &["navigation", "travel", "food"],
    &["notes", "reminders", "shopping"],
    &["payments", "shopping", "food"],
];

pub const TOOLS: &[ToolSpec] = &[
    // ---- alarms ----
    tool(
        "set_alarm",
        "alarms",
        "Set an alarm in the clock app.",
        &[
            req("time", "Alarm time as the user said it, e.g. 7:30 am or 06:15", Str(K::Time)),
            opt("label", "Short name shown when the alarm rings", Str(K::Label)),
            opt(
                "repeat_days",
                "Weekdays the alarm repeats on",
                EnumList { spec: &WEEKDAYS, min: 1, max: 3 },
            ),
        ],
        &[
            "set an alarm for {time}",
            "wake me up at {time}",
            "set an alarm at {time} called {label}",
            "set an alarm for {time} every {repeat_days@cap}",
            "^I need an alarm at {time} labeled {label}",
            "schedule an alarm for {time}",
            "add an alarm for {time} on {repeat_days@cap} named {label}",
        ],
        &[
            "put an alarm on for {time}",
            "make an alarm for {time} named {label} on {repeat_days@cap}",
        ],
    ),
    tool(
        "delete_alarm",
        "alarms",
        "Delete an existing alarm.",
        &[req("time", "Time of the alarm to delete, as the user said it", Str(K::Time))],
        &[
            "delete my {time} alarm",
            "cancel the alarm for {time}",
            "remove the {time} alarm",
            "turn off my alarm at {time}",
            "get rid of my {time} alarm",
        ],
        &["erase my {time} alarm"],
    ),
    tool(
        "set_timer",
        "alarms",
        "Start a countdown timer.",
        &[
            req("duration_minutes", "Length of the timer in minutes", Int { min: 2, max: 180 }),
            opt("label", "Name for the timer", Str(K::Label)),
        ],
        &[
            "set a timer for {duration_minutes} minutes",
            "start a timer for {duration_minutes} minutes",
            "set a timer for {duration_minutes} minutes called {label}",
            "count down {duration_minutes} minutes",
            "set a timer called {label} for {duration_minutes} minutes",
        ],
        &["start a timer of {duration_minutes} minutes for {label}"],
    ),
    tool(
        "snooze_alarm",
        "alarms",
        "Snooze the alarm that is ringing.",
        &[req("minutes", "How long to snooze, in minutes", Int { min: 2, max: 30 })],
        &[
            "snooze for {minutes} minutes",
            "snooze the alarm {minutes} minutes",
            "give me {minutes} more minutes",
            "snooze my alarm by {minutes} minutes",
        ],
        &["hit snooze for {minutes} minutes"],
    ),
    tool(
        "start_stopwatch",
        "alarms",
        "Start the stopwatch.",
        &[],
        &[
            "start the stopwatch",
            "start a stopwatch",
            "begin timing with the stopwatch",
            "^stopwatch on",
            "open the stopwatch and start it",
        ],
        &["kick off the stopwatch"],
    ),
    // ---- messaging ----
    conflicting(
        tool(
            "send_text_message",
            "messaging",
            "Send a text message to one contact.",
            &[
                req("recipient", "Contact name as the user said it", Str(K::Person)),
                req("message", "Text of the message", Str(K::Message)),
            ],
            &[
                "text {recipient} saying {message}",
                "send a message to {recipient}: {message}",
                "tell {recipient} \"{message}\"",
                "send {recipient} a text that says {message}",
                "text {recipient} \"{message}\"",
                "message {recipient}: {message}",
            ],
            &["shoot {recipient} a text saying {message}"],
        ),
        &["share_location"],
    ),
    conflicting(
        tool(
            "send_group_message",
            "messaging",
            "Send one text message to several contacts at once.",
            &[
                req(
                    "recipients",
                    "Contact names as the user said them",
                    StrList { kind: K::Person, min: 2, max: 4 },
                ),
                req("message", "Text of the message", Str(K::Message)),
            ],
            &[
                "send a group text to {recipients} saying {message}",
                "message {recipients}: {message}",
                "text {recipients} \"{message}\"",
                "group message {recipients} saying {message}",
                "send {recipients} the same text: {message}",
            ],
            &["send {recipients} a group message that says {message}"],
        ),
        &["share_location"],
    ),
    tool(
        "read_messages",
        "messaging",
        "Read received text messages aloud.",
        &[
            opt("contact", "Only read messages from this contact", Str(K::Person)),
            opt("unread_only", "Only read unread messages", Bool),
        ],
        &[
            "read my messages from {contact}",
            "read my unread messages{unread_only=true}",
            "what did {contact} text me?",
            "read the latest texts from {contact}",
            "any unread texts from {contact}{unread_only=true}?",
        ],
        &["read out the unread messages from {contact}{unread_only=true}"],
    ),
    // ---- calls ----
    tool(
        "call_contact",
        "calls",
        "Place a phone call to a saved contact.",
        &[
            req("contact", "Contact name as the user said it", Str(K::Person)),
            opt("speakerphone", "Start the call on speaker", Bool),
        ],
        &[
            "call {contact}",
            "phone {contact}",
            "give {contact} a call",
            "call {contact} on speaker{speakerphone=true}",
            "ring {contact}",
            "dial {contact} with speakerphone {speakerphone:on|off}",
        ],
        &[
            "place a call to {contact}",
            "get {contact} on the phone on speaker{speakerphone=true}",
        ],
    ),
    tool(
        "call_number",
        "calls",
        "Dial a phone number.",
        &[req("phone_number", "Number to dial, as given", Str(K::Phone))],
        &[
            "call {phone_number}",
            "dial {phone_number}",
            "phone the number {phone_number}",
            "ring {phone_number}",
        ],
        &["place a call to the number {phone_number}"],
    ),
    tool(
        "start_video_call",
        "calls",
        "Start a video call with a contact.",
        &[
            req("contact", "Contact name as the user said it", Str(K::Person)),
            opt("app", "Video calling app", Enum(&VIDEO_APPS)),
        ],
        &[
            "video call {contact}",
            "start a video call with {contact} on {app@cap}",
            "video chat with {contact}",
            "start a {app@cap} call with {contact}",
            "call {contact} on video",
        ],
        &["set up a video call with {contact} using {app@cap}"],
    ),
    // ---- navigation ----
    tool(
        "get_directions",
        "navigation",
        "Get turn-by-turn directions to a place.",
        &[
            req("destination", "Where to go, as the user said it", Str(K::Place)),
            opt("mode", "How the user travels", Enum(&TRAVEL_MODES)),
        ],
        &[
            "^directions to {destination}",
            "navigate to {destination}",
            "how do I get to {destination} {mode@by}?",
            "take me to {destination}",
            "get me {mode} directions to {destination}",
            "show me the route to {destination} {mode@by}",
        ],
        &["guide me to {destination} {mode@by}", "find the way to {destination}"],
    ),
    tool(
        "find_nearby",
        "navigation",
        "Find places of a given type near the user.",
        &[
            req("place_type", "Kind of place, e.g. pharmacy", Str(K::PlaceType)),
            opt(
                "max_distance_km",
                "Search radius in kilometres",
                Num { min: 5, max: 200, scale: 10, step: 5 },
            ),
        ],
        &[
            "find a {place_type} nearby",
            "is there a {place_type} near me?",
            "where's the closest {place_type}?",
            "find a {place_type} within {max_distance_km} km",
            "search for a {place_type} within {max_distance_km} kilometers",
        ],
        &[
            "look for a {place_type} close by",
            "any {place_type} within {max_distance_km} km of here?",
        ],
    ),
    conflicting(
        tool(
            "share_location",
            "navigation",
            "Share the user's live location with a contact.",
            &[
                req("contact", "Contact name as the user said it", Str(K::Person)),
                opt(
                    "duration_minutes",
                    "How long to share, in minutes",
                    Int { min: 5, max: 240 },
                ),
            ],
            &[
                "share my location with {contact}",
                "send {contact} my location",
                "let {contact} see where I am for {duration_minutes} minutes",
                "share my live location with {contact} for {duration_minutes} minutes",
            ],
            &["show {contact} my location for the next {duration_minutes} minutes"],
        ),
        &["send_text_message", "send_group_message"],
    ),
    tool(
        "get_travel_time",
        "navigation",
        "Estimate travel time between two places.",
        &[
            req("origin", "Starting point", Str(K::Place)),
            req("destination", "End point", Str(K::Place)),
            opt("mode", "How the user travels", Enum(&TRAVEL_MODES)),
        ],
        &[
            "how long does it take to get from {origin} to {destination}?",
            "^travel time from {origin} to {destination} {mode@by}",
            "how long is the trip from {origin} to {destination} {mode@by}?",
            "estimate the trip from {origin} to {destination}",
        ],
        &["how many minutes from {origin} to {destination} {mode@by}?"],
    ),
    // ---- smart home ----
    tool(
        "set_lights",
        "smart_home",
        "Turn the lights in a room on or off.",
        &[
            req("room", "Room name as the user said it", Str(K::Room)),
            req("on", "true to switch on, false to switch off", Bool),
        ],
        &[
            "turn {on:on|off} the {room} lights",
            "switch the lights in the {room} {on:on|off}",
            "turn the {room} lights {on:on|off}",
            "{on:switch on|shut off} the lights in the {room}",
            "^lights {on:on|off} in the {room}",
        ],
        &["flip the {room} lights {on:on|off}"],
    ),
    tool(
        "set_light_brightness",
        "smart_home",
        "Dim or brighten the lights in a room.",
        &[
            req("room", "Room name as the user said it", Str(K::Room)),
            req("brightness", "Brightness in percent", Int { min: 1, max: 100 }),
        ],
        &[
            "dim the {room} lights to {brightness} percent",
            "set the {room} lights to {brightness}% brightness",
            "^brightness in the {room} to {brightness} percent",
            "make the {room} lights {brightness} percent bright",
            "set the brightness in the {room} to {brightness}%",
        ],
        &["change the {room} light brightness to {brightness} percent"],
    ),
    tool(
        "set_light_color",
        "smart_home",
        "Change the color of the lights in a room.",
        &[
            req("room", "Room name as the user said it", Str(K::Room)),
            req("color", "Light color", Enum(&LIGHT_COLORS)),
        ],
        &[
            "make the {room} lights {color}",
            "change the {room} lights to {color}",
            "set the {room} light color to {color}",
            "turn the {room} lights {color}",
        ],
        &["switch the {room} lights to {color}"],
    ),
    tool(
        "set_thermostat",
        "smart_home",
        "Set the home thermostat.",
        &[
            req(
                "temperature",
                "Target temperature in degrees",
                Num { min: 160, max: 300, scale: 10, step: 5 },
            ),
            opt("mode", "Thermostat mode", Enum(&THERMOSTAT_MODES)),
        ],
        &[
            "set the thermostat to {temperature} degrees",
            "make it {temperature} degrees in here",
            "set the heating to {temperature} degrees",
            "set the thermostat to {temperature} in {mode} mode",
            "change the temperature to {temperature} degrees on {mode}",
        ],
        &["adjust the thermostat to {temperature} degrees with {mode} mode"],
    ),
    tool(
        "start_vacuum",
        "smart_home",
        "Start the robot vacuum.",
        &[opt("room", "Room to clean; the whole home when absent", Str(K::Room))],
        &[
            "start the vacuum",
            "vacuum the {room}",
            "run the robot vacuum in the {room}",
            "send the vacuum to clean the {room}",
            "start vacuuming",
        ],
        &["have the robot vacuum do the {room}"],
    ),
    heldout(tool(
        "lock_door",
        "smart_home",
        "Lock a smart door lock.",
        &[req("door", "Which door", Enum(&DOORS))],
        &[
            "lock the {door} door",
            "make sure the {door} door is locked",
            "lock up the {door} door",
            "secure the {door} door",
        ],
        &["bolt the {door} door"],
    )),
    // ---- media ----
    tool(
        "play_song",
        "media",
        "Play a song.",
        &[
            req("title", "Song title", Str(K::Song)),
            opt("artist", "Performing artist", Str(K::Artist)),
        ],
        &[
            "play {title}",
            "play {title} by {artist}",
            "put on {title}",
            "^I want to hear {title} by {artist}",
            "play the song {title}",
        ],
        &["start playing {title} by {artist}"],
    ),
    tool(
        "play_playlist",
        "media",
        "Play one of the user's playlists.",
        &[
            req("name", "Playlist name", Str(K::Playlist)),
            opt("shuffle", "Play in random order", Bool),
        ],
        &[
            "play my {name} playlist",
            "put on the {name} playlist",
            "shuffle my {name} playlist{shuffle=true}",
            "play the playlist {name}",
            "play my {name} playlist with shuffle {shuffle:on|off}",
        ],
        &["queue up my {name} playlist on shuffle{shuffle=true}"],
    ),
    tool(
        "play_podcast",
        "media",
        "Play a podcast episode.",
        &[
            req("show", "Podcast name", Str(K::Podcast)),
            opt("episode", "Episode number; the latest when absent", Int { min: 1, max: 300 }),
        ],
        &[
            "play the latest episode of {show}",
            "play {show} episode {episode}",
            "put on the podcast {show}",
            "play episode {episode} of {show}",
            "start the {show} podcast",
        ],
        &["listen to episode {episode} of the {show} podcast"],
    ),
    tool(
        "set_volume",
        "media",
        "Set the media volume.",
        &[req("level", "Volume in percent", Int { min: 0, max: 100 })],
        &[
            "set the volume to {level}",
            "^volume {level}",
            "turn the volume to {level} percent",
            "change the volume to {level}",
            "make the volume {level}",
        ],
        &["adjust the volume to {level} percent"],
    ),
    tool(
        "skip_track",
        "media",
        "Skip forward in the current queue.",
        &[opt("count", "How many tracks to skip; one when absent", Int { min: 2, max: 9 })],
        &[
            "skip this song",
            "^next track",
            "skip {count} songs",
            "skip ahead {count} tracks",
            "play the next song",
        ],
        &["jump forward {count} tracks"],
    ),
    conflicting(
        heldout(tool(
            "set_sleep_timer",
            "media",
            "Stop playback after a while.",
            &[req("minutes", "Minutes until playback stops", Int { min: 5, max: 120 })],
            &[
                "stop the music in {minutes} minutes",
                "set a sleep timer for {minutes} minutes",
                "turn off the music after {minutes} minutes",
                "^sleep timer {minutes} minutes",
            ],
            &["pause playback after {minutes} minutes"],
        )),
        &["set_timer"],
    ),
    // ---- calendar ----
    tool(
        "create_event",
        "calendar",
        "Add an event to the calendar.",
        &[
            req("title", "Event title", Str(K::EventTitle)),
            req("date", "Event date as the user said it", Str(K::Date)),
            opt("time", "Start time as the user said it", Str(K::Time)),
            opt("location", "Where the event is", Str(K::Place)),
            opt(
                "attendees",
                "People to invite",
                StrList { kind: K::Person, min: 1, max: 3 },
            ),
        ],
        &[
            "add {title} to my calendar on {date}",
            "schedule {title} on {date} at {time}",
            "create an event called {title} for {date} at {location}",
            "put {title} on my calendar for {date} at {time} and invite {attendees}",
            "^new calendar event: {title}, {date} at {time}",
            "schedule {title} for {date} with {attendees}",
        ],
        &["book {title} in my calendar for {date} at {time} at {location}"],
    ),
    tool(
        "list_events",
        "calendar",
        "List calendar events on a day.",
        &[req("date", "Day to list, as the user said it", Str(K::Date))],
        &[
            "what's on my calendar for {date}?",
            "show my events on {date}",
            "list my appointments for {date}",
            "what do I have on {date}?",
            "read my schedule for {date}",
        ],
        &["what meetings do I have on {date}?"],
    ),
    tool(
        "cancel_event",
        "calendar",
        "Remove an event from the calendar.",
        &[
            req("title", "Title of the event", Str(K::EventTitle)),
            opt("date", "Date of the event", Str(K::Date)),
        ],
        &[
            "cancel {title}",
            "cancel {title} on {date}",
            "delete the {title} event",
            "remove {title} from my calendar",
            "drop {title} from my calendar for {date}",
        ],
        &["take {title} off my calendar on {date}"],
    ),
    tool(
        "reschedule_event",
        "calendar",
        "Move a calendar event to another date or time.",
        &[
            req("title", "Title of the event", Str(K::EventTitle)),
            req("new_date", "New date", Str(K::Date)),
            opt("new_time", "New start time", Str(K::Time)),
        ],
        &[
            "move {title} to {new_date}",
            "reschedule {title} to {new_date} at {new_time}",
            "push {title} to {new_date}",
            "change {title} to {new_date} at {new_time}",
        ],
        &["shift {title} over to {new_date} at {new_time}"],
    ),
    // ---- notes ----
    tool(
        "create_note",
        "notes",
        "Create a note.",
        &[
            req("content", "Text of the note", Str(K::NoteText)),
            opt("title", "Note title", Str(K::NoteTitle)),
        ],
        &[
            "make a note: {content}",
            "write down {content}",
            "take a note that says {content}",
            "create a note called {title} saying {content}",
            "^note to self: {content}",
        ],
        &["jot down a note titled {title} that says {content}"],
    ),
    tool(
        "add_to_list",
        "notes",
        "Add items to one of the user's lists.",
        &[
            req("list_name", "Name of the list, e.g. grocery", Str(K::ListName)),
            req("items", "Items to add", StrList { kind: K::ListItem, min: 1, max: 3 }),
        ],
        &[
            "add {items} to my {list_name} list",
            "put {items} on the {list_name} list",
            "add to my {list_name} list: {items}",
            "^I need {items} on my {list_name} list",
        ],
        &["stick {items} on my {list_name} list"],
    ),
    tool(
        "search_notes",
        "notes",
        "Search the user's notes.",
        &[req("query", "Words to search for", Str(K::SearchTerms))],
        &[
            "search my notes for {query}",
            "find my note about {query}",
            "look through my notes for {query}",
            "do I have a note about {query}?",
        ],
        &["pull up notes mentioning {query}"],
    ),
    tool(
        "remove_from_list",
        "notes",
        "Remove an item from one of the user's lists.",
        &[
            req("list_name", "Name of the list", Str(K::ListName)),
            req("item", "Item to remove", Str(K::ListItem)),
        ],
        &[
            "remove {item} from my {list_name} list",
            "take {item} off the {list_name} list",
            "cross {item} off my {list_name} list",
            "delete {item} from the {list_name} list",
        ],
        &["scratch {item} from my {list_name} list"],
    ),
    // ---- reminders ----
    tool(
        "create_reminder",
        "reminders",
        "Create a to-do reminder.",
        &[
            req("text", "What to be reminded of", Str(K::Task)),
            opt("time", "Time to remind, as the user said it", Str(K::Time)),
            opt("date", "Day to remind, as the user said it", Str(K::Date)),
        ],
        &[
            "remind me to {text}",
            "remind me to {text} at {time}",
            "remind me on {date} to {text}",
            "set a reminder to {text} at {time} on {date}",
            "^reminder: {text}",
            "^don't let me forget to {text}",
        ],
        &["create a reminder for {date} at {time} to {text}"],
    ),
    tool(
        "list_reminders",
        "reminders",
        "List the user's reminders.",
        &[opt("date", "Only reminders for this day", Str(K::Date))],
        &[
            "what are my reminders?",
            "show my reminders for {date}",
            "list my reminders",
            "what do I need to remember on {date}?",
        ],
        &["read me my reminders for {date}"],
    ),
    tool(
        "complete_reminder",
        "reminders",
        "Mark a reminder as done.",
        &[req("text", "The reminder's text", Str(K::Task))],
        &[
            "mark the reminder to {text} as done",
            "^I finished the reminder to {text}",
            "complete my reminder to {text}",
            "check off the reminder to {text}",
        ],
        &["tick off my reminder to {text}"],
    ),
    // ---- weather ----
    tool(
        "get_weather",
        "weather",
        "Current or daily weather for a place.",
        &[
            req("location", "City name", Str(K::City)),
            opt("date", "Day of interest; today when absent", Str(K::Date)),
            opt("units", "Temperature units", Enum(&TEMP_UNITS)),
        ],
        &[
            "what's the weather in {location}?",
            "^weather in {location} on {date}",
            "how's the weather in {location} in {units}?",
            "is it going to rain in {location} on {date}?",
            "tell me the weather for {location}",
            "show the weather in {location} for {date} in {units}",
        ],
        &["what will the weather be like in {location} on {date}?"],
    ),
    tool(
        "get_forecast",
        "weather",
        "Multi-day weather forecast for a place.",
        &[
            req("location", "City name", Str(K::City)),
            req("days", "Number of days", Int { min: 2, max: 10 }),
            opt("units", "Temperature units", Enum(&TEMP_UNITS)),
        ],
        &[
            "^{days} day forecast for {location}",
            "give me the {days} day forecast for {location}",
            "^forecast for {location} for the next {days} days",
            "what's the forecast in {location} over the next {days} days in {units}?",
            "show the {days}-day forecast in {location}",
        ],
        &["what do the next {days} days look like in {location}?"],
    ),
    tool(
        "get_air_quality",
        "weather",
        "Air quality index for a place.",
        &[req("location", "City name", Str(K::City))],
        &[
            "what's the air quality in {location}?",
            "^air quality index for {location}",
            "is the air clean in {location} today?",
            "check the AQI in {location}",
            "how polluted is {location} right now?",
        ],
        &["how's the air in {location}?"],
    ),
    tool(
        "get_sunrise_sunset",
        "weather",
        "Sunrise and sunset times for a place.",
        &[
            req("location", "City name", Str(K::City)),
            opt("date", "Day of interest; today when absent", Str(K::Date)),
        ],
        &[
            "when is sunset in {location}?",
            "what time does the sun rise in {location} on {date}?",
            "^sunrise and sunset times for {location}",
            "when does the sun set in {location} on {date}?",
        ],
        &["tell me the sunrise time in {location} on {date}"],
    ),
    // ---- fitness ----
    tool(
        "start_workout",
        "fitness",
        "Start tracking a workout now.",
        &[req("activity", "Kind of workout", Enum(&ACTIVITIES))],
        &[
            "start a {activity@noun}",
            "start tracking a {activity@noun}",
            "begin a {activity} workout",
            "track my {activity@noun}",
            "^I'm going for a {activity@noun}, start tracking",
        ],
        &["record my {activity@noun} starting now"],
    ),
    tool(
        "log_workout",
        "fitness",
        "Log a finished workout.",
        &[
            req("activity", "Kind of workout", Enum(&ACTIVITIES)),
            req("duration_minutes", "Duration in minutes", Int { min: 5, max: 240 }),
            opt(
                "distance_km",
                "Distance in kilometres",
                Num { min: 5, max: 500, scale: 10, step: 1 },
            ),
        ],
        &[
            "log {duration_minutes} minutes of {activity}",
            "^I did {duration_minutes} minutes of {activity}",
            "record {duration_minutes} minutes of {activity} covering {distance_km} km",
            "log a {activity@noun} of {distance_km} km in {duration_minutes} minutes",
            "add {activity} for {duration_minutes} minutes to my workouts",
        ],
        &["save {duration_minutes} minutes of {activity} over {distance_km} km"],
    ),
    tool(
        "get_step_count",
        "fitness",
        "Steps walked on a day.",
        &[opt("date", "Day of interest; today when absent", Str(K::Date))],
        &[
            "how many steps have I taken today?",
            "what's my step count?",
            "how many steps did I walk on {date}?",
            "show my steps for {date}",
        ],
        &["tell me my step total for {date}"],
    ),
    tool(
        "log_water",
        "fitness",
        "Log water the user drank.",
        &[req("amount_ml", "Amount in millilitres", Int { min: 100, max: 1500 })],
        &[
            "log {amount_ml} ml of water",
            "^I drank {amount_ml} milliliters of water",
            "add {amount_ml} ml to my water intake",
            "track {amount_ml} ml of water",
        ],
        &["record that I had {amount_ml} ml of water"],
    ),
    // ---- camera ----
    tool(
        "take_photo",
        "camera",
        "Take a photo.",
        &[
            opt("camera", "Which camera", Enum(&CAMERAS)),
            opt("timer_seconds", "Self-timer delay in seconds", Int { min: 2, max: 10 }),
            opt("flash", "Use the flash", Bool),
        ],
        &[
            "take a photo",
            "take a picture with the {camera} camera",
            "snap a photo in {timer_seconds} seconds",
            "take a photo with the flash {flash:on|off}",
            "take a picture with the {camera} camera in {timer_seconds} seconds",
        ],
        &["capture a photo using the {camera} camera with the flash {flash:on|off}"],
    ),
    tool(
        "record_video",
        "camera",
        "Record a video.",
        &[
            opt("duration_seconds", "Length in seconds", Int { min: 5, max: 600 }),
            opt("camera", "Which camera", Enum(&CAMERAS)),
        ],
        &[
            "record a video",
            "start recording video",
            "record video for {duration_seconds} seconds",
            "film {duration_seconds} seconds with the {camera} camera",
            "record video on the {camera} camera",
        ],
        &["shoot a clip of {duration_seconds} seconds on the {camera} camera"],
    ),
    tool(
        "take_screenshot",
        "camera",
        "Capture the screen.",
        &[],
        &[
            "take a screenshot",
            "screenshot this",
            "grab a screenshot",
            "capture the screen",
        ],
        &["save a screenshot of the screen"],
    ),
    tool(
        "show_photos",
        "camera",
        "Open a photo album in the gallery.",
        &[req("album", "Album name", Str(K::Album))],
        &[
            "show my {album} photos",
            "open the {album} album",
            "show me pictures from {album}",
            "pull up the {album} album",
        ],
        &["display the photos in my {album} album"],
    ),
    // ---- device settings ----
    tool(
        "set_wifi",
        "device_settings",
        "Turn Wi-Fi on or off.",
        &[req("enabled", "true to turn on", Bool)],
        &[
            "turn wifi {enabled:on|off}",
            "{enabled:enable|disable} wifi",
            "switch {enabled:on|off} the wifi",
            "^wifi {enabled:on|off}",
        ],
        &["flip wifi {enabled:on|off}"],
    ),
    tool(
        "set_bluetooth",
        "device_settings",
        "Turn Bluetooth on or off.",
        &[req("enabled", "true to turn on", Bool)],
        &[
            "turn bluetooth {enabled:on|off}",
            "{enabled:enable|disable} bluetooth",
            "switch {enabled:on|off} bluetooth",
            "^bluetooth {enabled:on|off}",
        ],
        &["flip bluetooth {enabled:on|off}"],
    ),
    tool(
        "set_brightness",
        "device_settings",
        "Set the screen brightness.",
        &[req("level", "Brightness in percent", Int { min: 0, max: 100 })],
        &[
            "set the screen brightness to {level}",
            "^brightness {level} percent",
            "make the screen {level} percent bright",
            "change display brightness to {level}%",
        ],
        &["adjust the screen brightness to {level} percent"],
    ),
    tool(
        "set_do_not_disturb",
        "device_settings",
        "Turn Do Not Disturb on or off.",
        &[
            req("enabled", "true to turn on", Bool),
            opt("duration_minutes", "How long, in minutes", Int { min: 10, max: 480 }),
        ],
        &[
            "turn {enabled:on|off} do not disturb",
            "{enabled:enable|disable} do not disturb",
            "turn on do not disturb for {duration_minutes} minutes{enabled=true}",
            "silence notifications for {duration_minutes} minutes{enabled=true}",
            "switch do not disturb {enabled:on|off}",
        ],
        &["mute all notifications for {duration_minutes} minutes{enabled=true}"],
    ),
    tool(
        "set_airplane_mode",
        "device_settings",
        "Turn airplane mode on or off.",
        &[req("enabled", "true to turn on", Bool)],
        &[
            "turn {enabled:on|off} airplane mode",
            "{enabled:enable|disable} airplane mode",
            "^airplane mode {enabled:on|off}",
            "switch airplane mode {enabled:on|off}",
        ],
        &["set airplane mode to {enabled:on|off}"],
    ),
    conflicting(
        heldout(tool(
            "ring_device",
            "device_settings",
            "Make one of the user's devices play a sound to find it.",
            &[req("device", "Which device", Enum(&DEVICES))],
            &[
                "ring my {device}",
                "find my {device}",
                "make my {device} play a sound",
                "^my {device} is lost, make it ring",
            ],
            &["locate my {device} by ringing it"],
        )),
        &["call_contact", "call_number"],
    ),
    // ---- email ----
    tool(
        "send_email",
        "email",
        "Send an email.",
        &[
            req("to", "Recipient name or address, as the user said it", Str(K::EmailRecipient)),
            req("subject", "Subject line", Str(K::Subject)),
            opt("body", "Body text", Str(K::Message)),
        ],
        &[
            "email {to} about {subject}",
            "send an email to {to} with the subject {subject}",
            "email {to} with subject {subject} saying {body}",
            "write an email to {to}, subject {subject}, body {body}",
            "send {to} an email titled {subject}",
        ],
        &["compose an email to {to} with subject {subject} that says {body}"],
    ),
    tool(
        "search_email",
        "email",
        "Search the mailbox.",
        &[
            req("query", "Words to search for", Str(K::SearchTerms)),
            opt("sender", "Only emails from this person", Str(K::Person)),
        ],
        &[
            "search my email for {query}",
            "find emails about {query}",
            "find emails from {sender} about {query}",
            "look for the email from {sender} about {query}",
        ],
        &["dig up emails from {sender} mentioning {query}"],
    ),
    tool(
        "reply_to_email",
        "email",
        "Reply to the latest email from a person.",
        &[
            req("sender", "Who sent the email", Str(K::Person)),
            req("body", "Reply text", Str(K::Message)),
        ],
        &[
            "reply to {sender}'s email saying {body}",
            "respond to the email from {sender}: {body}",
            "write back to {sender}'s email: {body}",
            "answer {sender}'s email with {body}",
        ],
        &["send a reply to {sender}'s last email saying {body}"],
    ),
    // ---- shopping ----
    tool(
        "add_to_cart",
        "shopping",
        "Add a product to the online store cart.",
        &[
            req("product", "Product name", Str(K::Product)),
            opt("quantity", "How many", Int { min: 1, max: 10 }),
        ],
        &[
            "add {product} to my cart",
            "add {product} to my cart, quantity {quantity}",
            "buy {product}",
            "add {quantity} of the {product} to my cart",
            "put {product} in my shopping cart",
        ],
        &["throw {product} into my cart, {quantity} of them"],
    ),
    tool(
        "search_products",
        "shopping",
        "Search the online store.",
        &[
            req("query", "What to look for", Str(K::Product)),
            opt(
                "max_price",
                "Highest price in dollars",
                Num { min: 500, max: 50000, scale: 100, step: 1 },
            ),
        ],
        &[
            "search for {query}",
            "find {query} under {max_price} dollars",
            "shop for {query}",
            "look up {query} for less than ${max_price}",
            "search the store for {query} under ${max_price}",
        ],
        &["browse {query} below {max_price} dollars"],
    ),
    tool(
        "track_order",
        "shopping",
        "Track an online order.",
        &[req("order_id", "Order number", Str(K::OrderId))],
        &[
            "track order {order_id}",
            "where is my order {order_id}?",
            "check the status of order {order_id}",
            "has order {order_id} shipped?",
        ],
        &["what's happening with order {order_id}?"],
    ),
    // ---- travel ----
    tool(
        "search_flights",
        "travel",
        "Search for flights.",
        &[
            req("origin", "Departure city", Str(K::City)),
            req("destination", "Arrival city", Str(K::City)),
            req("date", "Departure date", Str(K::Date)),
            opt("passengers", "Number of travellers", Int { min: 2, max: 6 }),
        ],
        &[
            "find flights from {origin} to {destination} on {date}",
            "search flights {origin} to {destination} for {date}",
            "^flights from {origin} to {destination} on {date} for {passengers} people",
            "^I need a flight from {origin} to {destination} on {date}",
            "look up {passengers} tickets from {origin} to {destination} on {date}",
        ],
        &["show me flights leaving {origin} for {destination} on {date} for {passengers} passengers"],
    ),
    tool(
        "book_hotel",
        "travel",
        "Book a hotel room.",
        &[
            req("city", "City", Str(K::City)),
            req("check_in", "Check-in date", Str(K::Date)),
            req("nights", "Number of nights", Int { min: 2, max: 14 }),
            opt("guests", "Number of guests", Int { min: 2, max: 6 }),
        ],
        &[
            "book a hotel in {city} from {check_in} for {nights} nights",
            "find me a hotel in {city} on {check_in} for {nights} nights",
            "reserve a room in {city} for {nights} nights starting {check_in}",
            "^hotel in {city}, {nights} nights from {check_in}, {guests} guests",
            "book {nights} nights in {city} from {check_in} for {guests} guests",
        ],
        &["get me a hotel room in {city} checking in {check_in} for {nights} nights for {guests} guests"],
    ),
    tool(
        "check_flight_status",
        "travel",
        "Status of a flight.",
        &[req("flight_number", "Flight number, e.g. UA482", Str(K::FlightNumber))],
        &[
            "is flight {flight_number} on time?",
            "^status of flight {flight_number}",
            "check flight {flight_number}",
            "has {flight_number} landed?",
            "when does flight {flight_number} arrive?",
        ],
        &["is {flight_number} delayed?"],
    ),
    tool(
        "rent_car",
        "travel",
        "Reserve a rental car.",
        &[
            req("city", "Pick-up city", Str(K::City)),
            req("pickup_date", "Pick-up date", Str(K::Date)),
            req("days", "Rental length in days", Int { min: 2, max: 21 }),
        ],
        &[
            "rent a car in {city} on {pickup_date} for {days} days",
            "^I need a rental car in {city} from {pickup_date} for {days} days",
            "book a car in {city} for {days} days starting {pickup_date}",
            "^car rental in {city}, {pickup_date}, {days} days",
        ],
        &["reserve a rental car in {city} starting {pickup_date} for {days} days"],
    ),
    heldout(tool(
        "book_ride",
        "travel",
        "Book a ride with a driver.",
        &[
            req("destination", "Drop-off place", Str(K::Place)),
            opt("ride_type", "Kind of car", Enum(&RIDE_TYPES)),
        ],
        &[
            "get me a ride to {destination}",
            "book a {ride_type} ride to {destination}",
            "call a cab to {destination}",
            "order a car to {destination}",
        ],
        &["^I need a {ride_type} ride to {destination}"],
    )),
    // ---- contacts ----
    tool(
        "add_contact",
        "contacts",
        "Save a new contact.",
        &[
            req("name", "Contact name", Str(K::Person)),
            req("phone_number", "Phone number", Str(K::Phone)),
            opt("email", "Email address", Str(K::Email)),
        ],
        &[
            "add {name} to my contacts with number {phone_number}",
            "save {name}'s number as {phone_number}",
            "create a contact for {name}, phone {phone_number}",
            "^new contact {name}, {phone_number}, email {email}",
            "save {phone_number} as {name}",
        ],
        &["store a new contact named {name} with phone {phone_number} and email {email}"],
    ),
    tool(
        "find_contact",
        "contacts",
        "Look up a contact's details.",
        &[req("name", "Contact name", Str(K::Person))],
        &[
            "look up {name} in my contacts",
            "find {name}'s contact info",
            "what's {name}'s number?",
            "show me the contact for {name}",
        ],
        &["search my contacts for {name}"],
    ),
    tool(
        "block_contact",
        "contacts",
        "Block calls and messages from a contact.",
        &[req("name", "Contact name", Str(K::Person))],
        &[
            "block {name}",
            "block calls from {name}",
            "stop {name} from calling me",
            "add {name} to my block list",
        ],
        &["block all messages and calls from {name}"],
    ),
    // ---- held-out categories ----
    heldout(tool(
        "translate_text",
        "translation",
        "Translate a phrase into another language.",
        &[
            req("text", "Phrase to translate", Str(K::Phrase)),
            req("target_language", "Language to translate into", Enum(&LANGUAGES)),
        ],
        &[
            "translate \"{text}\" into {target_language@cap}",
            "how do you say {text} in {target_language@cap}?",
            "what is \"{text}\" in {target_language@cap}?",
            "translate to {target_language@cap}: {text}",
        ],
        &["say \"{text}\" in {target_language@cap}"],
    )),
    heldout(tool(
        "send_money",
        "payments",
        "Send money to a contact.",
        &[
            req("recipient", "Who receives the money", Str(K::Person)),
            req(
                "amount",
                "Amount in dollars",
                Num { min: 100, max: 100000, scale: 100, step: 1 },
            ),
            opt("note", "Payment note", Str(K::Memo)),
        ],
        &[
            "send {recipient} {amount} dollars",
            "pay {recipient} ${amount} for {note}",
            "transfer {amount} dollars to {recipient}",
            "send ${amount} to {recipient} for {note}",
        ],
        &["wire {amount} dollars to {recipient} for {note}"],
    )),
    heldout(tool(
        "check_balance",
        "payments",
        "Show an account balance.",
        &[opt("account", "Which account; checking when absent", Enum(&ACCOUNTS))],
        &[
            "what's my balance?",
            "check my {account} balance",
            "how much money is in my {account} account?",
            "show the balance of my {account} account",
        ],
        &["tell me my {account} account balance"],
    )),
    heldout(tool(
        "convert_currency",
        "payments",
        "Convert an amount between currencies.",
        &[
            req(
                "amount",
                "Amount to convert",
                Num { min: 100, max: 1000000, scale: 100, step: 1 },
            ),
            req("from_currency", "Currency code to convert from", Enum(&CURRENCIES)),
            req("to_currency", "Currency code to convert to", Enum(&CURRENCIES)),
        ],
        &[
            "convert {amount} {from_currency} to {to_currency}",
            "how much is {amount} {from_currency} in {to_currency}?",
            "^{amount} {from_currency} to {to_currency}",
            "change {amount} {from_currency} into {to_currency}",
        ],
        &["what's {amount} {from_currency} worth in {to_currency}?"],
    )),
    heldout(tool(
        "order_food",
        "food",
        "Order food delivery from a restaurant.",
        &[
            req("restaurant", "Restaurant name", Str(K::Restaurant)),
            req("items", "Dishes to order", StrList { kind: K::Dish, min: 1, max: 3 }),
        ],
        &[
            "order {items} from {restaurant}",
            "get {items} delivered from {restaurant}",
            "^I want {items} from {restaurant}",
            "place a delivery order at {restaurant} for {items}",
        ],
        &["have {restaurant} deliver {items}"],
    )),
    conflicting(
        heldout(tool(
            "reserve_table",
            "food",
            "Reserve a table at a restaurant.",
            &[
                req("restaurant", "Restaurant name", Str(K::Restaurant)),
                req("party_size", "Number of people", Int { min: 2, max: 12 }),
                req("time", "Reservation time", Str(K::Time)),
                opt("date", "Reservation date; today when absent", Str(K::Date)),
            ],
            &[
                "book a table for {party_size} at {restaurant} at {time}",
                "reserve a table at {restaurant} for {party_size} people at {time} on {date}",
                "get me a table for {party_size} at {restaurant} on {date} at {time}",
                "make a reservation at {restaurant} for {party_size} at {time}",
            ],
            &["^table at {restaurant} for {party_size} at {time}, please"],
        )),
        &["create_event"],
    ),
];

/// The tool named `name`.
pub fn find_tool(name: &str) -> Option<&'static ToolSpec> {
    TOOLS.iter().find(|t| t.name == name)
}

/// Whether `a` and `b` could serve the same request (or are the same tool).
pub fn tools_conflict(a: &ToolSpec, b: &ToolSpec) -> bool {
    a.name == b.name
        || a.conflicts.contains(&b.name)
        || b.conflicts.contains(&a.name)
        || a.category == b.category
        || CONFLICT_GROUPS
            .iter()
            .any(|g| g.contains(&a.category) && g.contains(&b.category))
}

/// The tool document shown to the model: name, description and JSON Schema parameters.
pub fn tool_doc(t: &ToolSpec) -> Value {
    let mut props = Map::new();
    for p in t.params {
        props.insert(p.name.to_string(), param_schema(p));
    }
    let required: Vec<&str> = t
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| p.name)
        .collect();
    json!({
        "name": t.name,
        "description": t.description,
        "parameters": {
            "type": "object",
            "properties": props,
            "required": required,
        }
    })
}

fn param_schema(p: &ParamSpec) -> Value {
    match &p.ty {
        ParamType::Str(_) => json!({"type": "string", "description": p.description}),
        ParamType::Int { min, max } => json!({
            "type": "integer",
            "description": p.description,
            "minimum": min,
            "maximum": max,
        }),
        ParamType::Num { .. } => json!({"type": "number", "description": p.description}),
        ParamType::Bool => json!({"type": "boolean", "description": p.description}),
        ParamType::Enum(spec) => json!({
            "type": "string",
            "description": p.description,
            "enum": spec.values,
        }),
        ParamType::StrList { .. } => json!({
            "type": "array",
            "description": p.description,
            "items": {"type": "string"},
        }),
        ParamType::EnumList { spec, .. } => json!({
            "type": "array",
            "description": p.description,
            "items": {"type": "string", "enum": spec.values},
        }),
    }
}
