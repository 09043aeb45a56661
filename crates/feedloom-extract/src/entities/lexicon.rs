//! The word lists the entity rules consult.

use super::*;

pub(super) static TITLES: LazyLock<std::collections::HashSet<&'static str, text::Fx>> =
    LazyLock::new(|| {
        "President Vice Prime Minister Deputy Foreign Interior Defence Defense Finance Economy
    Chairman Chairwoman Chair Secretary General Secretary-General Consul Ambassador Envoy Mr Mrs Ms
    Dr Prof Professor Senator Sen Rep Representative Governor Mayor King Queen Prince Princess
    Sheikh Emir Gen Col Colonel Lt Major Captain Judge Justice Chief Executive Director Spokesman
    Spokeswoman Spokesperson Head Leader Premier Chancellor Commander Officer Speaker Minister's
    Acting First Former Ex-President Pope Patriarch Imam Rabbi Bishop Cardinal Sir Lord Lady Dame
    Commissioner Attorney Opposition Economic Trade Energy Health Labor Labour Justice Education
    Agriculture Transport Culture Tourism Emergency Emergencies Security National Presidential
    Parliamentary Party CEO CFO Chairperson Founder Co-founder Analyst Economist Activist Coach
    Lawmaker Deputy-Minister Vice-President Vice-Premier Cabinet State Akim Hokim Ombudsman
    Auditor Inspector Prosecutor Prosecutor-General Investigator Journalist Editor Correspondent
    Archbishop Metropolitan Reverend Rev Mufti Ayatollah Mullah Maulana Pastor Deacon Abbot
    Lieutenant Lieutenant-General Lieutenant-Colonel Maj Major-General Brig Brigadier Field-Marshal
    Brigadier-General Admiral Adm Vice-Admiral Marshal Sergeant Sgt Capt Cmdr
    Corporal Cpl Commandant Gov Amb Hon Honourable Honorable Excellency Manager Managing Officer
    Operating Vice-Chairman Vice-Chair Deputy-Chairman Undersecretary Under-Secretary
    President-elect Councillor Councilor Alderman Magistrate Governor-General Sultan Emir
    Mayor-elect Baroness Baron MEP MP
    H.E Mawlawi Maulvi Mawlana Maulana Molvi Haji Hajji Alhaji Qari Mallam Datuk Dato Datin Tun
    Pak Ibu Eng Engr Shaikh Excellency"
            .split_whitespace()
            .collect()
    });

pub(super) static ORG_WORDS: LazyLock<std::collections::HashSet<&'static str, text::Fx>> =
    LazyLock::new(|| {
        "Ministry Ministries Corporation Corp Company Co Inc Ltd LLC PLC Group Airways Airlines Airline
    Agency Bank Chamber Council Committee Commission Organisation Organization Union Party
    Association Federation University Institute Fund Service Services Office Department Court
    Parliament Assembly Army Navy Police Guard Forces Authority Administration Bureau Board Trust
    Foundation Society Center Centre Network News Times Post Journal Gazette Press Television TV
    Radio Broadcasting Holding Holdings Industries Petroleum Energy Oil Gas Railways Railway
    Telecom Cooperation Alliance Coalition Movement Front Congress Senate Cabinet Government
    Exchange Partners Capital Securities Bureau
    Inspectorate Prosecutor's Directorate Secretariat Mission Embassy Consulate School College
    Academy Hospital Club League Media Motors Mining Metals Steel Airport Port Customs Rights
    Ratings Watch Institution Initiative Programme Program Brigade Battalion Regiment Command
    Kenesh Majlis Mazhilis Duma Rada Sejm Knesset Bundestag Khural Jirga Loya Seimas Saeima
    Nations Shipping Engineering Research Machines Auto Automotive Copper Logistics Technologies
    Systems Pharma Pharmaceuticals Chemicals Electric Ventures Insurance Investments Jamaat Hizb
    Harakat Lashkar Jaish Tehreek Minerals Finance Financial Ports Operations Monitoring
    Consortium Cooperative Commissariat Observatory Tribunal Guards Militia Fleet Directorate
    Troops Forum
    Sociedad Sociedade Compañía Companhia Empresa Banco Grupo Corporación Instituto Universidad
    Universidade Société Compagnie Banque Groupe Gesellschaft Ministerio Ministério Ministère
    Agencia Agência Agence Fundación Fundação Consejo Conselho Conseil
    PT Tbk PJSC JSC OJSC OAO ZAO OOO LLP AG NV GmbH Bhd Berhad SpA Oyj Pte"
        .split_whitespace()
        .collect()
    });

/// Lower-case nouns that make the capitalised word before them an organisation
/// ("the Dunyo information agency", "Kabar news agency", "the Vedomosti newspaper").
pub(super) const ORG_AFTER: &[&str] = &[
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "rebels",
    "militants",
    "militia",
    "insurgents",
    "agency",
    "newspaper",
    "news",
    "company",
    "corporation",
    "group",
    "bank",
    "party",
    "ministry",
    "website",
    "outlet",
    "portal",
    "broadcaster",
    "firm",
    "daily",
    "weekly",
    "channel",
    "tv",
    "television",
    "magazine",
    "report",
    "movement",
    "conglomerate",
    "airline",
    "holding",
    // "X chief executive Y", "X chairman Y", "X founder Y": the employer before its people
    "chief",
    "chairman",
    "chairwoman",
    "founder",
    // "X shares rose"
    "shares",
];

/// Lower-case patronymic particles that belong to a name ("Nurlanbek Turgunbek uulu").
pub(super) const PARTICLES: &[&str] = &[
    "uulu", "kyzy", "ogly", "oglu", "qizi", "ugli", "ulu", "bint",
];

/// Titles that, followed by a name, make it a person's name.
pub(super) const PERSON_TITLES: &[&str] = &[
    "Secretary-General",
    "Minister",
    "President",
    "Premier",
    "Chairman",
    "Chairwoman",
    "Chairperson",
    "Secretary",
    "Ambassador",
    "Consul",
    "Director",
    "Governor",
    "Mayor",
    "Spokesman",
    "Spokeswoman",
    "Spokesperson",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Senator",
    "General",
    "CEO",
    "Chief",
    "Head",
    "Leader",
    "Commissioner",
    "Prosecutor",
    "Prosecutor-General",
    "Judge",
    "Envoy",
    "Akim",
    "Hokim",
    "Ombudsman",
    "Chancellor",
    "King",
    "Queen",
    "Prince",
    "Sheikh",
    "Emir",
    "Speaker",
    "Professor",
    "Prof",
    "Colonel",
    "Col",
    "Gen",
    "Lt",
    "Captain",
    "Founder",
    "Economist",
    "Analyst",
    "Executive",
    "Officer",
    "Manager",
    "Archbishop",
    "Bishop",
    "Cardinal",
    "Patriarch",
    "Metropolitan",
    "Imam",
    "Mufti",
    "Ayatollah",
    "Mullah",
    "Rabbi",
    "Reverend",
    "Rev",
    "Pastor",
    "Lieutenant",
    "Lieutenant-General",
    "Lieutenant-Colonel",
    "Major-General",
    "Brigadier",
    "Brigadier-General",
    "Maj",
    "Brig",
    "Admiral",
    "Adm",
    "Marshal",
    "Sergeant",
    "Sgt",
    "Capt",
    "Cmdr",
    "Commander",
    "Commandant",
    "Sultan",
    "Councillor",
    "Undersecretary",
    "Under-Secretary",
    "Vice-Chairman",
    "Gov",
    "MEP",
    "MP",
    // honorifics: religious, courtesy and regional ("H.E. Wang Lixin", "Mawlawi Najibullah
    // Hotak", "Sir Keir Starmer", "Datuk X", "Pak Joko")
    "H.E",
    "Hon",
    "Honourable",
    "Honorable",
    "Excellency",
    "Mawlawi",
    "Maulvi",
    "Mawlana",
    "Maulana",
    "Molvi",
    "Shaikh",
    "Haji",
    "Hajji",
    "Alhaji",
    "Qari",
    "Mallam",
    "Sir",
    "Dame",
    "Lord",
    "Lady",
    "Baroness",
    "Baron",
    "Datuk",
    "Dato",
    "Datin",
    "Tun",
    "Pak",
    "Ibu",
    "Eng",
    "Engr",
];

/// Lower-case nouns after a capitalised run that make it the name of a thing, not a person
/// ("the Global Gateway plan", "the Middle Corridor route").
pub(super) const NAMED_THING_AFTER: &[&str] = &[
    "plan",
    "programme",
    "program",
    "initiative",
    "project",
    "strategy",
    "scheme",
    "deal",
    "agreement",
    "treaty",
    "summit",
    "forum",
    "route",
    "corridor",
    "pipeline",
    "line",
    "doctrine",
    "format",
    "process",
    "declaration",
    "fund",
    "award",
    "prize",
    "festival",
    "games",
    "cup",
    "index",
    "act",
    "law",
    "bill",
    "policy",
    "platform",
    "network",
    "framework",
    "model",
];

/// Last words of job titles ("Chief Financial Officer", "Managing Director").
pub(super) const JOB_HEADS: &[&str] = &[
    "Officer",
    "Director",
    "Manager",
    "Executive",
    "Secretary",
    "Adviser",
    "Advisor",
    "Controller",
    "Counsel",
    "Editor",
    "Coordinator",
    "Administrator",
    "Superintendent",
    "Treasurer",
    "Registrar",
    "Strategist",
    "Economist",
    "Analyst",
    "Spokesman",
    "Spokeswoman",
    "Spokesperson",
    "Chairman",
    "Chairwoman",
    "Chairperson",
    "President",
    "Head",
];

/// Words that qualify a job title before its head ("Group Chief Executive Officer",
/// "Corporate Communications Officer", "Senior Vice President").
pub(super) const JOB_MODIFIERS: &[&str] = &[
    "Group",
    "Senior",
    "Junior",
    "Chief",
    "Executive",
    "Financial",
    "Finance",
    "Operating",
    "Operations",
    "Technology",
    "Technical",
    "Information",
    "Investment",
    "Marketing",
    "Commercial",
    "Communications",
    "Communication",
    "Corporate",
    "Regional",
    "General",
    "Managing",
    "Deputy",
    "Assistant",
    "Associate",
    "Principal",
    "Legal",
    "Compliance",
    "Risk",
    "Strategy",
    "Sales",
    "Human",
    "Resources",
    "Public",
    "Affairs",
    "Relations",
    "Media",
    "Press",
    "Digital",
    "Data",
    "Sustainability",
    "Country",
    "Project",
    "Research",
    "Editorial",
    "Medical",
    "Scientific",
    "Acting",
    "Interim",
    "Global",
    "Vice",
    "Non-Executive",
    "Independent",
    "Lead",
    "Programme",
    "Program",
    "Product",
    "Business",
    "Development",
    "Administrative",
    "Procurement",
    "Treasury",
    "Audit",
    "Engineering",
    "Production",
    "Safety",
    "First",
    "Second",
];

/// Capitalised last words of geographic names.
pub(super) const GEO_TAIL: &[&str] = &[
    "Corridor",
    "Hills",
    "Heights",
    "Glacier",
    "Region",
    "Province",
    "Oblast",
    "District",
    "Prefecture",
    "County",
    "Governorate",
    "Territory",
    "Sea",
    "Ocean",
    "River",
    "Lake",
    "Bridge",
    "Mountains",
    "Mountain",
    "Valley",
    "Basin",
    "Desert",
    "Bay",
    "Gulf",
    "Island",
    "Islands",
    "Canal",
    "Strait",
    "Straits",
    "Peninsula",
    "Plateau",
    "Range",
    "Pass",
    "Gorge",
    "Steppe",
    "Coast",
    "Highlands",
    "Delta",
    "Reservoir",
    "Dam",
    "Hall",
    "Square",
    "Stadium",
    "Arena",
    "Airport",
    "Bazaar",
    "Cathedral",
    "Mosque",
    "Monastery",
];

/// Head words of natural features named "X of Y" or "X Y" ("Cape of Good Hope", "Strait of
/// Hormuz", "Lake Balkhash", "Mount Ararat").
pub(super) const GEO_HEAD: &[&str] = &[
    "Cape",
    "Strait",
    "Straits",
    "Gulf",
    "Bay",
    "Lake",
    "Mount",
    "Mt",
    "Sea",
    "Isle",
    "Isles",
    "Gorge",
    "Pass",
    "Port",
    "Peninsula",
    // Spanish, Portuguese, French, Italian heads ("Salar de Uyuni", "Lago Maggiore")
    "Salar",
    "Lago",
    "Laguna",
    "Sierra",
    "Cerro",
    "Golfo",
    "Bahía",
    "Isla",
    "Lac",
    "Mont",
    "Monte",
];

/// Legal forms written before a company's name ("PT Vale Indonesia", "PJSC Rosseti").
pub(super) const LEGAL_PREFIX: &[&str] = &["PT", "PJSC", "JSC", "OJSC", "OAO", "ZAO", "OOO", "AO"];

/// Last words of the names of lines and roads ("East Coast Rail Link", "Standard Gauge
/// Railway"): projects, not entities.
pub(super) const ROUTE_TAIL: &[&str] = &[
    "Railway",
    "Railroad",
    "Line",
    "Link",
    "Pipeline",
    "Highway",
    "Expressway",
    "Motorway",
    "Road",
];

/// Administrative nouns after a region's or a town's name ("Region", "Autonomous Region").
pub(super) const ADMIN_TAIL: &[&str] = &[
    "Region",
    "Province",
    "Oblast",
    "District",
    "Prefecture",
    "County",
    "Governorate",
    "Territory",
    "Autonomous",
    "Special",
    "Administrative",
    "Municipality",
    "Okrug",
    "Krai",
    "Rayon",
    "Velayat",
    "Viloyat",
    "Marz",
    "Emirate",
    "Canton",
    "Department",
    "Voivodeship",
];

/// Last words of document names followed by a number ("Government Decision No. 412-N").
pub(super) const DOCUMENT_NOUNS: &[&str] = &[
    "Decision",
    "Decree",
    "Resolution",
    "Order",
    "Law",
    "Act",
    "Article",
    "Section",
    "Directive",
    "Regulation",
    "Protocol",
    "Annex",
    "Appendix",
    "Chapter",
    "Clause",
    "Paragraph",
    "Bill",
    "Ordinance",
    "Convention",
    "Item",
    "Part",
    "Rule",
    "Code",
];

/// Organisation nouns in apposition to a lone name ("Bulgartransgaz, the gas grid operator,"
/// "the Majlisi Oli, Tajikistan's parliament,").
pub(super) const ORG_APPOSITION: &[&str] = &[
    "parliament",
    "company",
    "firm",
    "operator",
    "lender",
    "bank",
    "agency",
    "regulator",
    "broadcaster",
    "group",
    "party",
    "ministry",
    "union",
    "carrier",
    "producer",
    "insurer",
    "miner",
    "investor",
    "fund",
    "militia",
    "movement",
    "legislature",
    "exchange",
    "developer",
    "manufacturer",
    "subsidiary",
    "conglomerate",
    "airline",
    "newspaper",
    "channel",
    "outlet",
    "network",
    "consortium",
    "utility",
    "monopoly",
    "giant",
    "maker",
    "automaker",
    "carmaker",
    "supplier",
    "contractor",
    "holding",
    "council",
    "assembly",
    "court",
];

/// Nouns of natural features and structures, which get no inferred country (the annotation
/// rules give them none: they often cross borders, or the gazetteer cannot place them).
pub(super) const FEATURE_NOUNS: &[&str] = &[
    "strait",
    "mine",
    "field",
    "fields",
    "deposit",
    "plant",
    "terminal",
    "refinery",
    "smelter",
    "mountain",
    "mountains",
    "glacier",
    "island",
    "islands",
    "coast",
    "river",
    "basin",
    "valley",
    "lake",
    "sea",
    "gorge",
    "pass",
    "desert",
    "steppe",
    "delta",
    "canal",
    "reservoir",
    "peninsula",
    "plateau",
    "bridge",
];

/// Lower-case nouns that make the capitalised words before them a place.
pub(super) const PLACE_AFTER: &[&str] = &[
    "strait",
    "mine",
    "field",
    "fields",
    "deposit",
    "plant",
    "terminal",
    "refinery",
    "smelter",
    "port",
    "mountain",
    "glacier",
    "island",
    "islands",
    "coast",
    "river",
    "basin",
    "valley",
    "mountains",
    "lake",
    "sea",
    "gorge",
    "pass",
    "desert",
    "steppe",
    "crossing",
    "checkpoint",
    "village",
    "district",
    "settlement",
    "oasis",
    "delta",
    "canal",
    "reservoir",
    "peninsula",
    "plateau",
    "center",
    "centre",
    "stadium",
    "square",
    "bridge",
];

/// Lower-case nouns that make the capitalised name right after them an organisation
/// ("the state oil company KazMunayGas", "news agency Kabar").
pub(super) const ORG_BEFORE: &[&str] = &[
    "company",
    "agency",
    "firm",
    "group",
    "bank",
    "carrier",
    "operator",
    "producer",
    "giant",
    "newspaper",
    "outlet",
    "organisation",
    "organization",
    "party",
    "lender",
    "airline",
    "insurer",
    "broadcaster",
    "conglomerate",
    "developer",
    "manufacturer",
    "miner",
    "retailer",
    "startup",
    "holding",
    "fund",
    "website",
    "portal",
    "daily",
    "weekly",
    "channel",
    "magazine",
    "regulator",
    "consultancy",
    "concern",
    "automaker",
    "carmaker",
    "shipper",
    "exporter",
    "importer",
    "contractor",
    "supplier",
    "builder",
    "refiner",
    "maker",
    "smelter",
    "think-tank",
    "tank",
    "institute",
    "association",
    "airport",
];

/// Capitalised words that are not names (besides stopwords and the gazetteer).
pub(super) static NOT_NAME: LazyLock<std::collections::HashSet<&'static str, text::Fx>> =
    LazyLock::new(|| {
        "Covid COVID-19 Covid-19 Coronavirus Internet Muslim Muslims Christian Christians Islam
    Islamic Jewish Buddhist Catholic Orthodox Sunni Shia Western Eastern Northern Southern
    Central North South East West Province Region Republic State States City Island Islands
    River Sea Lake Mountains Valley District Street Square Avenue Road Airport Bridge Day
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
    July August September October November December Line Phase Article Section Chapter Part
    Sign Support Follow Share Subscribe Read See Click Listen Photo Image Video
    Communist Soviet Olympic Olympics World Cup Games Prize Award Summit Forum Expo Conference
    English Russian Arabic Persian Turkish Chinese French German Spanish Mandarin Uzbek Kazakh
    Kyrgyz Tajik Turkmen Government Ministry Parliament Senate Congress The It He She They We
    I You This That These Those His Her Their Our My Your Its There Here What When Where Why How
    Who Which While After Before During Since Until Although Though Because If Unlike Despite
    Meanwhile However Nevertheless Yet Still Also Instead Earlier Later Last Next Most Many Some
    Several Both Each Every All No Not One Two Three Dear Mr Mrs Ms Dr St Jr Sr Inc Ltd AM PM GDP
    EU UN US USA UK IMF WTO NATO OK TV Yes Okay Hello Thanks Why Breaking Update Opinion Analysis
    Editor Editorial Comment News Bulletin Briefing Exclusive Live Today Yesterday Tomorrow
    Democrats Republicans Liberals Conservatives Union European Asian African American Analysts
    Officials Experts Residents Critics Witnesses Authorities Observers Diplomats Sources Investors
    Traders Economists Lawmakers Protesters Activists Doctors Scientists Researchers Others Locals
    Villagers Farmers Workers Students Parents Teachers Officers Soldiers Rescuers Prosecutors
    Lawyers Supporters Opponents Leaders Members Organizers Organisers Voters Citizens Users
    Police Reporters Journalists Witness Sources Insiders People Russians Americans Code Act Law
    Constitution Treaty Charter Budget Plan Strategy Programme Program Concept Decree Resolution
    Islamist Islamists Jihadist Jihadists Marxist Maoist Nationalist Nationalists Separatist
    Separatists Militant Militants God Allah Prophet Almighty Lord's"
            .split_whitespace()
            .collect()
    });

/// Nouns that a region's name qualifies as an adjective ("Pacific leaders").
pub(super) const REGION_NOUNS: &[&str] = &[
    "leaders",
    "countries",
    "nations",
    "states",
    "governments",
    "islanders",
    "partners",
    "neighbours",
    "neighbors",
    "economies",
    "markets",
    "waters",
    "shelf",
    "coastline",
    "littoral",
    "rim",
    "fleet",
    "powers",
    "affairs",
    "ministers",
    "peoples",
    "allies",
    "members",
    "summit",
    "trade",
    "security",
    "policy",
    "region",
];

/// Peoples without a country of their own name (their plural is a group, not a person).
pub(super) const ETHNIC: &[&str] = &[
    "Uyghur",
    "Uighur",
    "Kurd",
    "Pashtun",
    "Tatar",
    "Hazara",
    "Tibetan",
    "Karakalpak",
    "Dungan",
    "Baloch",
    "Chechen",
    "Rohingya",
    "Yazidi",
    "Druze",
    "Berber",
    "Tamil",
    "Sikh",
    "Dagestani",
    "Bashkir",
    "Cossack",
    "Palestinian",
    "Arab",
    "Persian",
    "Slav",
    "Turk",
    "Crimean",
];

/// Last words of a minister's portfolio ("Minister of Mines and Petroleum X").
pub(super) const PORTFOLIO: &[&str] = &[
    "Affairs",
    "Agriculture",
    "Communications",
    "Construction",
    "Culture",
    "Defence",
    "Defense",
    "Development",
    "Digital",
    "Economy",
    "Ecology",
    "Education",
    "Emergencies",
    "Energy",
    "Environment",
    "Finance",
    "Fisheries",
    "Forestry",
    "Gas",
    "Health",
    "Housing",
    "Industry",
    "Information",
    "Infrastructure",
    "Innovation",
    "Interior",
    "Investment",
    "Investments",
    "Justice",
    "Labor",
    "Labour",
    "Mines",
    "Mining",
    "Oil",
    "Petroleum",
    "Planning",
    "Population",
    "Power",
    "Protection",
    "Relations",
    "Resources",
    "Security",
    "Situations",
    "Sport",
    "Sports",
    "Technologies",
    "Technology",
    "Tourism",
    "Trade",
    "Transport",
    "Transportation",
    "Welfare",
    "Youth",
];

pub(super) type WordSet = LazyLock<std::collections::HashSet<&'static str, text::Fx>>;
macro_rules! word_set {
    ($name:ident, $list:ident) => {
        pub(super) static $name: WordSet = LazyLock::new(|| $list.iter().copied().collect());
    };
}
word_set!(PERSON_TITLE_SET, PERSON_TITLES);
word_set!(NAMED_THING_AFTER_SET, NAMED_THING_AFTER);
word_set!(GEO_TAIL_SET, GEO_TAIL);
word_set!(PLACE_AFTER_SET, PLACE_AFTER);
word_set!(ORG_BEFORE_SET, ORG_BEFORE);
word_set!(ORG_AFTER_SET, ORG_AFTER);
word_set!(MEDIA_SET, MEDIA);
word_set!(PORTFOLIO_SET, PORTFOLIO);
word_set!(INDUSTRY_FINAL_SET, INDUSTRY_FINAL);
word_set!(ORG_FINAL_SET, ORG_FINAL);
word_set!(JOB_HEAD_SET, JOB_HEADS);
word_set!(JOB_MODIFIER_SET, JOB_MODIFIERS);

/// Industry and commodity nouns that end a company's name ("Ganfeng Lithium", "Zijin Mining",
/// "Tianqi Lithium", "Barrick Gold", "Hua Tong Energy"): after a name, an organisation.
pub(super) const INDUSTRY_FINAL: &[&str] = &[
    "Lithium",
    "Cobalt",
    "Nickel",
    "Gold",
    "Uranium",
    "Aluminium",
    "Aluminum",
    "Resources",
    "Materials",
    "Chemical",
    "Chemicals",
    "Battery",
    "Batteries",
    "Solar",
    "Power",
    "Automobile",
    "Automobiles",
    "Electronics",
    "Semiconductor",
    "Semiconductors",
    "Aerospace",
    "Aviation",
    "Cement",
    "Textiles",
    "Foods",
    "Petrochemical",
    "Petrochemicals",
    "Shipbuilding",
    "Biotech",
    "Construction",
    "Infrastructure",
    "Trading",
    "Telecommunications",
    "Communications",
    "Pharmaceutical",
    "Motor",
    "Tobacco",
    "Marine",
    "Technology",
    "Tech",
    "Networks",
    "Software",
    "Express",
    "Mobile",
    "Airlines",
    // "Cofco International", "Amnesty International": no person's last name
    "International",
    "Worldwide",
];

/// International news agencies, broadcasters and institutions named alone ("Reuters", "Kremlin").
pub(super) const MEDIA: &[&str] = &[
    "Kremlin",
    "Pentagon",
    "Taliban",
    "Hamas",
    "Hezbollah",
    "NATO",
    "Politburo",
    "Duma",
    "Knesset",
    "Bundestag",
    "Majlis",
    "Jogorku",
    "Mazhilis",
    "Oliy",
    "Reuters",
    "AFP",
    "AP",
    "Xinhua",
    "Interfax",
    "TASS",
    "Tass",
    "Bloomberg",
    "Kyodo",
    "Yonhap",
    "Anadolu",
    "BBC",
    "CNN",
    "VOA",
    "RFE/RL",
    "Sputnik",
    "RIA",
    "Al Jazeera",
    "Dow Jones",
    "EFE",
    "ANSA",
    "dpa",
    "PTI",
    "IRNA",
    "Bernama",
    "Antara",
    "Kazinform",
    "Kabar",
    "AKIpress",
];

/// Natural features that often cross borders: left without a country.
pub(super) const CROSS_BORDER: &[&str] = &[
    "Darya",
    "Daryo",
    "Sea",
    "Ocean",
    "River",
    "Lake",
    "Valley",
    "Basin",
    "Mountains",
    "Range",
    "Desert",
    "Corridor",
    "Gulf",
    "Bay",
    "Steppe",
    "Plateau",
    "Delta",
    "Peninsula",
    "Strait",
    "Straits",
    "Highlands",
];

/// Lower-case nouns after a hyphenated chain of names that make it a link between places
/// ("the Beineu-Bozoi-Shymkent pipeline", "the Gashuunsukhait-Ganqimaodu rail link").
pub(super) const ROUTE_NOUNS: &[&str] = &[
    "pipeline",
    "pipelines",
    "railway",
    "railroad",
    "rail",
    "road",
    "highway",
    "motorway",
    "link",
    "route",
    "corridor",
    "line",
    "border",
    "crossing",
    "flight",
    "flights",
    "bridge",
    "canal",
    "gas",
    "oil",
    "power",
    "transmission",
    "interconnector",
    "trade",
    "train",
    "trains",
    "ferry",
    "shipping",
    "transit",
    "axis",
    "talks",
    "relations",
    "ties",
    "summit",
];

/// Organisation words that end a name ("Tunduk Bank", "Ala-Too Finance", "Acme Holdings").
pub(super) const ORG_FINAL: &[&str] = &[
    "Bank",
    "Finance",
    "Group",
    "Corporation",
    "Corp",
    "Company",
    "Co",
    "Inc",
    "Ltd",
    "LLC",
    "PLC",
    "Plc",
    "Holding",
    "Holdings",
    "Airways",
    "Airlines",
    "Motors",
    "Capital",
    "Partners",
    "Securities",
    "Investments",
    "Insurance",
    "Logistics",
    "Technologies",
    "Energy",
    "Oil",
    "Gas",
    "Mining",
    "Minerals",
    "Metals",
    "Steel",
    "Telecom",
    "Media",
    "Ventures",
    // legal forms after a company's name ("Minas Serra Azul S.A.", "PT X Tbk")
    "S.A",
    "SA",
    "AG",
    "NV",
    "Tbk",
    "Oyj",
    "ASA",
    "GmbH",
    "Bhd",
    "Berhad",
    "SpA",
    "Pte",
];

/// Auxiliaries and verbs that, right after a name, make it the subject of a clause.
pub(super) const AUX_VERBS: &[&str] = &[
    "is", "was", "are", "were", "has", "had", "have", "will", "would", "can", "could", "may",
    "might", "must", "should", "shall", "does", "did", "plans", "wants", "needs", "also",
];

/// Acronyms that are common nouns, not names ("CEO", "GDP", "LNG").
pub(super) const COMMON_ACRONYMS: &[&str] = &[
    "CEO", "CFO", "COO", "CTO", "GDP", "GNP", "GNI", "LNG", "LPG", "CNG", "EV", "EVS", "SUV",
    "IPO", "VAT", "GPS", "AI", "IT", "PR", "HR", "ID", "MP", "MPS", "MEP", "MEPS", "TV", "AM",
    "PM", "OK", "USB", "PDF", "SMS", "ATM", "DNA", "HIV", "AIDS", "COVID", "UAV", "UAVS", "ICBM",
    "FX", "FDI", "SME", "SMES", "ESG", "BRI", "SEZ", "EEZ", "NGO", "NGOS", "UTC", "GMT", "BC",
    "AD", "CO", "NB", "PS", "FAQ", "CV", "QR", "PIN", "VIP", "RSS", "URL", "ISBN", "OPEC+",
];
