/// Short forms of first names, for telling that `Mike Munn` is the host `Michael Munn` and that
/// `Chris` is `Christopher Bergh`: a guess that `normalise_authors` reports, never a certainty.
extension PersonName {
    /// Whether the first name `short` is a short form of the first name `full` (both match-key words):
    /// the start of it, of three letters or more (`Doug` of `Douglas`, `Chris` of `Christopher`), or a
    /// usual nickname of it (`Mike` of `Michael`, `Katya` of `Ekaterina`).
    public static func isShortForm(_ short: Substring, of full: Substring) -> Bool {
        guard short.count < full.count else { return false }
        if short.count >= 3, full.hasPrefix(short) { return true }
        return nicknames[String(short)]?.contains(String(full)) ?? false
    }

    /// Nicknames that are not the start of the name they stand for, in match-key form: English
    /// ones, and the Slavic ones common in the community these archives come from.
    public static let nicknames: [String: Set<String>] = [
        "mike": ["michael", "mikhail"], "mick": ["michael"], "bob": ["robert"], "bobby": ["robert"], "bill": ["william"],
        "liam": ["william"], "jim": ["james"], "jimmy": ["james"], "dick": ["richard"], "rick": ["richard"],
        "tony": ["anthony", "antonio"], "andy": ["andrew", "andreas"], "drew": ["andrew"], "jack": ["john"], "johnny": ["john"],
        "ted": ["edward", "theodore"], "ned": ["edward"], "ed": ["edward", "edwin"], "liz": ["elizabeth"], "beth": ["elizabeth"],
        "betty": ["elizabeth"], "kate": ["katherine", "catherine", "kathryn"], "katie": ["katherine", "catherine"],
        "kathy": ["katherine", "catherine"], "cathy": ["catherine"], "peggy": ["margaret"], "maggie": ["margaret"],
        "meg": ["margaret"], "sue": ["susan", "suzanne"], "jenny": ["jennifer"], "chuck": ["charles"], "charlie": ["charles"],
        "hank": ["henry"], "harry": ["henry", "harold"], "larry": ["lawrence", "laurence"], "steve": ["stephen"],
        "nick": ["nikolai", "nikolay"], "danny": ["daniel"], "dave": ["david"], "joe": ["joseph"], "tom": ["thomas"],
        "alex": ["aleksandr", "aleksei"], "sasha": ["alexander", "aleksandr", "alexandra", "alexey"],
        "katya": ["ekaterina", "jekaterina", "yekaterina", "katerina"], "misha": ["mikhail", "michael"],
        "dima": ["dmitry", "dmitrii", "dmitriy"], "vova": ["vladimir"], "volodya": ["vladimir"], "kostya": ["konstantin"],
        "lena": ["elena", "yelena"], "masha": ["maria", "mariya"], "tanya": ["tatiana", "tatyana"],
        "nastya": ["anastasia", "anastasiya"], "zhenya": ["evgeny", "evgeniy", "yevgeny", "evgenia"],
        "seryozha": ["sergey", "sergei"], "pasha": ["pavel"], "kolya": ["nikolai", "nikolay"], "vanya": ["ivan"],
        "lyosha": ["alexey", "aleksei"], "olya": ["olga"], "ira": ["irina"], "yura": ["yuri", "yuriy"],
    ]
}
