"""Word lists for realistic values (names, titles, tags, user agents...). Standard library only."""

FIRST_NAMES = """
james mary john patricia robert jennifer michael linda william elizabeth david barbara richard susan
joseph jessica thomas sarah charles karen chris lisa daniel nancy matthew betty anthony sandra mark
margaret donald ashley steven kimberly paul emily andrew donna joshua michelle kenneth carol kevin
amanda brian melissa george deborah tim stephanie ronald rebecca edward sharon jason laura jeffrey
cynthia ryan kathleen jacob amy gary angela nicholas shirley eric anna jonathan brenda stephen pamela
larry emma justin nicole scott helen brandon samantha benjamin katherine samuel christine gregory
debra alexander rachel frank carolyn patrick janet raymond maria jack olivia dennis heather jerry
diane tyler julie aaron joyce jose victoria adam kelly nathan christina henry lauren douglas joan
zachary evelyn peter judith kyle megan ethan andrea walter cheryl noah hannah jeremy jacqueline
christian martha keith gloria roger teresa terry sara gerald janice harold marie sean julia austin
grace carl judy arthur theresa lawrence madison dylan beverly jesse denise jordan marilyn bryan amber
billy danielle joe rose bruce brittany gabriel diana logan abigail albert natalie willie jane alan
lucas ali yuki hiroshi sofia mateo lucia leon mia ahmed fatima wei li priya arjun olga ivan lars
ingrid pierre chloe luca giulia diego camila omar leila kenji aiko sven anja tomasz zofia
alice bob carol dave erin frank grace heidi ivan judy mallory oscar peggy trent victor walter
""".split()

LAST_NAMES = """
smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez
wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark
ramirez lewis robinson walker young allen king wright scott torres nguyen hill flores green adams
nelson baker hall rivera campbell mitchell carter roberts gomez phillips evans turner diaz parker
cruz edwards collins reyes stewart morris morales murphy cook rogers gutierrez ortiz morgan cooper
peterson bailey reed kelly howard ramos kim cox ward richardson watson brooks chavez wood james
bennett gray mendoza ruiz hughes price alvarez castillo sanders patel myers long ross foster
tanaka suzuki schmidt muller fischer weber rossi russo dubois moreau kowalski novak silva santos
""".split()

ADJECTIVES = """
quick lazy simple modern practical hidden complete ultimate essential better faster tiny great
secret beautiful strange broken remote async functional reactive clean small big little honest
curious quiet bold open free new old hard soft
""".split()

NOUNS = """
dragon guide kitchen garden journey server database cache pattern habit recipe migration pipeline
workflow story lesson mistake mountain river city startup interview budget newsletter podcast
algorithm bug release deploy cluster container function module library framework compiler rocket
coffee bread weekend holiday camera bicycle marathon museum painting novel keyboard
""".split()

TITLE_TEMPLATES = [
    "how to train your {n}", "how to build a {a} {n}", "{k} tips for a {a} {n}", "why your {n} is {a}",
    "the {a} {n}", "understanding {t}", "getting started with {t}", "{t} in {k} minutes",
    "a {a} guide to {t}", "what I learned from my {n}", "{t} vs {t2}", "building a {n} with {t}",
    "my {a} {n} story", "{k} things nobody tells you about {t}", "the {a} way to {v} your {n}",
    "stop {v}ing your {n}", "{t} best practices", "is {t} dead", "from zero to {t}",
    "lessons from a {a} {n}",
]
VERBS = "deploy test debug refactor cache scale monitor secure design document plan".split()

TECH = """
react vue angular svelte rust go python java kotlin swift typescript javascript docker kubernetes
terraform aws lambda postgres redis graphql rest grpc kafka linux nginx webassembly django rails
spring node deno flutter elixir
""".split()

TAGS = """
javascript python react aws devops career tutorial beginners webdev security golang rust docker
kubernetes testing design productivity news discussion help feature-request bug ios android
announcements howto database frontend backend api performance accessibility ux mobile cloud
opensource machine-learning data-science linux showcase meta feedback support plugin theme
installation hosting email faq
""".split()

GROUP_NAMES = """
staff admins moderators trust_level_0 trust_level_1 trust_level_2 trust_level_3 trust_level_4
design-team beta_testers support translators mobile-devs marketing sales_emea core-team
partners customers early_access plugin-authors community-leads docs-team qa interns volunteers
""".split()

CITIES = """
london paris berlin madrid rome amsterdam vienna prague warsaw dublin lisbon stockholm oslo
helsinki tokyo osaka seoul sydney melbourne toronto vancouver chicago boston seattle austin denver
""".split()

EMAIL_DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "protonmail.com",
                 "example.com", "acme.io", "fastmail.com", "gmx.de", "web.de", "mail.ru", "yandex.com"]

SENTENCE_WORDS = """
the a this that it we you they i is was are have has will can should would could just really very
not only also about with from into over after before when while because if then so but and or
api request response error update issue problem solution idea feature release version support
user account post topic reply thread comment category page link image file upload download
works broke fixed added removed changed thanks please help question answer great nice weird
today yesterday tomorrow again still already never always sometimes maybe probably
""".split()

BROWSER_UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:135.0) Gecko/20100101 Firefox/135.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36 Edg/133.0.0.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:134.0) Gecko/20100101 Firefox/134.0",
]
SCRIPT_UAS = [
    "python-requests/2.32.3", "python-requests/2.31.0", "python-requests/2.28.2", "axios/1.7.9", "axios/1.6.8",
    "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", "node", "undici", "Go-http-client/2.0",
    "Go-http-client/1.1", "Apache-HttpClient/4.5.14 (Java/17.0.9)", "Java/21.0.2", "Faraday v2.12.2",
    "Ruby", "aiohttp/3.9.5", "Python-urllib/3.11", "okhttp/4.12.0",
]
TOOL_UAS = ["curl/8.5.0", "curl/7.81.0", "curl/8.7.1", "PostmanRuntime/7.43.0", "PostmanRuntime/7.39.1",
            "insomnia/10.3.0", "HTTPie/3.2.4", "Wget/1.21.4"]

SCANNER_UAS = [
    "Mozilla/5.0 zgrab/0.x", "python-requests/2.25.1", "Go-http-client/1.1", "curl/7.68.0",
    "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 6.0; HTC One M9 Build/MRA445) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.98 Mobile Safari/537.3",
    "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)", "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
    "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", "l9explore/1.2.2",
    "Expanse, a Palo Alto Networks company, searches across the global IPv4 space multiple times per day",
]

SCANNER_PATHS = [
    "/.env", "/.env.local", "/.env.production", "/api/.env", "/.git/config", "/.git/HEAD", "/.aws/credentials",
    "/.DS_Store", "/.vscode/sftp.json", "/wp-admin/setup-config.php", "/wp-admin/setup.php", "/wp-login.php",
    "/wordpress/wp-admin/setup-config.php", "/wp-content/plugins/wp-file-manager/readme.txt", "/wp-includes/wlwmanifest.xml",
    "/xmlrpc.php", "/phpmyadmin/", "/phpMyAdmin/index.php", "/pma/", "/admin/config.php", "/administrator/index.php",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/cgi-bin/luci/;stok=/locale", "/boaform/admin/formLogin",
    "/HNAP1/", "/owa/auth/logon.aspx", "/solr/admin/info/system", "/actuator/health", "/actuator/env", "/server-status",
    "/config.json", "/config.yml", "/backup.zip", "/backup.sql", "/db.sql", "/dump.sql", "/info.php", "/phpinfo.php",
    "/telescope/requests", "/_ignition/execute-solution", "/console/", "/manager/html", "/jenkins/login", "/.well-known/security.txt",
    "/robots.txt", "/favicon.ico", "/sitemap.xml", "/swagger.json", "/v2/api-docs", "/graphql", "/api/graphql",
    "/remote/login", "/global-protect/login.esp", "/sslvpn_logon.shtml", "/geoserver/web/", "/Autodiscover/Autodiscover.xml",
    "/ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application", "/cgi-bin/.%2e/.%2e/.%2e/.%2e/bin/sh",
"/level/15/exec/-/sh/run/CR", "/device.rsp", "/setup.cgi",
    "/.svn/wc.db", "/debug/default/view", "/_profiler/phpinfo", "/api/v1/pods", "/druid/index.html", "/nacos/",
]
SCANNER_WORDS = """
admin backup old test dev staging api v1 v2 v3 internal private tmp uploads files static assets images
login logout register portal dashboard panel console shell cmd exec upload download data export
""".split()
