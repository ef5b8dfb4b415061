import Mustache

/// The console's Mustache templates, compiled into the binary so it serves every page with no files beside it.
enum Templates {
    /// Parsed once; a template that does not parse is a programming error caught by the first test.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in sources {
            do { try library.register(text, named: name) } catch { fatalError("template \(name) does not parse: \(error)") }
        }
        return library
    }()

    static let sources: [String: String] = [
        "header": header, "footer": footer, "login": login, "queues": queues, "item": item, "verify": verify,
        "group": group, "failed": failed, "report": report, "users": users,
    ]

    static let header = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="csrf-token" content="{{page.csrf}}">
        <title>{{page.title}} · FaxIntake</title>
        <link rel="stylesheet" href="/assets/console.css">
        <script src="/assets/console.js" defer></script>
        </head><body data-idle-seconds="{{page.idleSeconds}}">
        <header class="bar">
          <strong>FaxIntake</strong>
          <nav><a href="/">Queues</a> <a href="/group?kind=member_id">Group verification</a> <a href="/failed">Failed</a> <a href="/report">Report</a>{{#page.admin}} <a href="/users">Users</a>{{/page.admin}}</nav>
          <form method="post" action="/logout" class="logout"><input type="hidden" name="csrf_token" value="{{page.csrf}}"><span>{{page.user}} ({{page.role}})</span> <button type="submit" tabindex="-1">Log out</button></form>
        </header>
        <main>
        """

    static let footer = """
        </main></body></html>
        """

    static let login = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Log in · FaxIntake</title>
        <link rel="stylesheet" href="/assets/console.css"></head><body class="login">
        <form method="post" action="/login" class="card">
          <h1>FaxIntake console</h1>
          {{#error}}<p class="error" id="login-error">{{error}}</p>{{/error}}
          <label>User name <input name="username" id="username" autocomplete="username" autofocus required></label>
          <label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
          <button type="submit" id="login">Log in</button>
          <p class="small">Sessions end after {{idleMinutes}} idle minutes.</p>
        </form></body></html>
        """

    static let queues = """
        {{> header}}
        <h1>Queues</h1>
        <table class="counts"><thead><tr><th>route</th>{{#statuses}}<th>{{.}}</th>{{/statuses}}<th>total</th></tr></thead>
        <tbody>{{#routes}}<tr><td><a href="/?route={{name}}">{{name}}</a></td>{{#cells}}<td><a href="/?route={{route}}&status={{status}}">{{count}}</a></td>{{/cells}}<td>{{total}}</td></tr>{{/routes}}</tbody></table>
        <form method="get" action="/" class="filters">
          <label>route <select name="route"><option value="">all</option>{{#routeOptions}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/routeOptions}}</select></label>
          <label>status <select name="status"><option value="">all</option>{{#statusOptions}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/statusOptions}}</select></label>
          <label>flag <input name="flag" value="{{flag}}" placeholder="needs_review"></label>
          <button type="submit">Filter</button>
        </form>
        <p>{{total}} items · page {{pageNumber}} of {{pages}} {{#previous}}<a href="{{previous}}">← previous</a>{{/previous}} {{#next}}<a href="{{next}}">next →</a>{{/next}}</p>
        <table class="items" id="items"><thead><tr><th>#</th><th>route</th><th>status</th><th>priority</th><th>due by</th><th>received</th><th>pages</th><th>flags</th></tr></thead>
        <tbody>{{#items}}<tr class="{{priority}}"><td><a class="item-link" href="/items/{{id}}">#{{id}}</a></td><td>{{route}}</td><td>{{status}}</td><td>{{priority}}</td><td>{{dueBy}}</td><td>{{receivedAt}}</td><td>{{pageCount}}</td>
        <td>{{#flags}}<span class="badge {{.}}">{{.}}</span> {{/flags}}</td></tr>{{/items}}</tbody></table>
        {{> footer}}
        """

    static let item = """
        {{> header}}
        <h1 id="item-title">Item #{{id}} <span class="status {{status}}" id="item-status">{{status}}</span></h1>
        <p>{{route}} · {{priority}} · due {{dueBy}} · received {{receivedAt}} · {{channel}} · {{pageCount}} pages{{#pageRange}} (this request: {{.}}){{/pageRange}}
        {{#flags}}<span class="badge {{.}}">{{.}}</span> {{/flags}}</p>
        <p class="actions">{{#canVerify}}<a href="/items/{{id}}/verify" id="verify-link">Verify the {{flaggedCount}} flagged fields (V)</a>{{/canVerify}}
        {{#canReprocess}}<form method="post" action="/items/{{id}}/reprocess" class="inline"><input type="hidden" name="csrf_token" value="{{page.csrf}}"><button type="submit" id="reprocess">Reprocess</button></form>{{/canReprocess}}</p>
        {{#failure}}<p class="error">failed at {{stage}} after {{attempts}} attempt(s){{#permanent}} (permanent){{/permanent}}: {{reason}}</p>{{/failure}}
        <div class="item-screen">
          {{#formPage}}<figure class="page" id="form-page"><img src="/api/items/{{id}}/pages/{{formPage}}.png?scale=0.5" alt="form page {{formPage}}" width="{{displayWidth}}" height="{{displayHeight}}">
          {{#zones}}<a class="zone {{#needsReview}}flagged{{/needsReview}}" href="#field-{{name}}" title="{{name}}" style="left:{{left}}%;top:{{top}}%;width:{{width}}%;height:{{height}}%"></a>{{/zones}}</figure>{{/formPage}}
          <table class="fields" id="fields"><thead><tr><th>field</th><th>value</th><th>confidence</th><th>issues</th></tr></thead>
          <tbody>{{#fields}}<tr id="field-{{name}}" class="{{#needsReview}}flagged{{/needsReview}}"><td>{{label}}</td><td class="value">{{value}}</td><td>{{confidence}}</td><td>{{issues}}</td></tr>{{/fields}}</tbody></table>
        </div>
        <h2>Pages</h2>
        <div class="thumbs">{{#thumbnails}}<a href="/api/items/{{id}}/pages/{{page}}.png" target="_blank"><img src="/api/items/{{id}}/pages/{{page}}.png?scale=0.1" alt="page {{page}}" loading="lazy"><span>{{page}}</span></a>{{/thumbnails}}</div>
        <div class="columns">
        <section><h2>History</h2><ol class="history">{{#history}}<li>{{at}} · {{status}} · {{note}}</li>{{/history}}</ol></section>
        <section><h2>Corrections</h2><ol class="history" id="corrections">{{#corrections}}<li>{{at}} · {{user}} · {{field}}: {{machine}} → {{person}}{{#accepted}} (accepted){{/accepted}}</li>{{/corrections}}</ol></section>
        <section><h2>Same fax</h2><ul>{{#siblings}}<li><a href="/items/{{.}}">#{{.}}</a></li>{{/siblings}}{{^siblings}}<li>no other request</li>{{/siblings}}</ul></section>
        </div>
        {{> footer}}
        """

    static let verify = """
        {{> header}}
        <h1>Verify item #{{id}} <a href="/items/{{id}}" class="small">back to the item</a></h1>
        <p class="help">Enter accepts the reading or saves your correction · type to correct · Tab moves on · Esc skips</p>
        <div id="verification" class="verification" data-item="{{id}}" data-mode="item">
        {{#rows}}<div class="row" data-item="{{item}}" data-field="{{name}}" data-machine="{{machine}}">
          <div class="label">{{label}}<span class="issues">{{issues}}</span></div>
          <img class="crop" src="/api/items/{{item}}/fields/{{name}}/crop.png" alt="{{name}} as written">
          <input class="answer" name="{{name}}" value="{{machine}}" autocomplete="off" spellcheck="false">
          <span class="state"></span>
        </div>{{/rows}}
        {{^rows}}<p>Nothing left to verify on this item.</p>{{/rows}}
        </div>
        {{> footer}}
        """

    static let group = """
        {{> header}}
        <h1>Group verification: {{kindLabel}}</h1>
        <p class="filters">{{#kinds}}<a href="/group?kind={{value}}" class="{{#selected}}selected{{/selected}}">{{label}}</a> {{/kinds}}</p>
        <p class="help">All unsure {{kindLabel}} across the queue, each crop beside its reading. Enter accepts or saves · Tab moves on · Esc skips</p>
        <div id="verification" class="verification group" data-mode="group">
        {{#rows}}<div class="row" data-item="{{item}}" data-field="{{name}}" data-machine="{{machine}}">
          <div class="label"><a href="/items/{{item}}" tabindex="-1">#{{item}}</a> {{label}}<span class="issues">{{issues}}</span></div>
          <img class="crop" src="/api/items/{{item}}/fields/{{name}}/crop.png" alt="{{name}} as written" loading="lazy">
          <input class="answer" name="{{item}}-{{name}}" value="{{machine}}" autocomplete="off" spellcheck="false">
          <span class="state"></span>
        </div>{{/rows}}
        {{^rows}}<p>No unsure {{kindLabel}} in the queue.</p>{{/rows}}
        </div>
        {{> footer}}
        """

    static let failed = """
        {{> header}}
        <h1>Failed items</h1>
        {{#results}}<p class="notice result">#{{id}}: {{outcome}}{{#route}} → {{.}}{{/route}}{{#reason}} ({{stage}}: {{.}}){{/reason}}</p>{{/results}}
        <form method="post" action="/failed/reprocess" id="failed-form">
        <input type="hidden" name="csrf_token" value="{{page.csrf}}">
        <table class="items" id="failed"><thead><tr><th></th><th>#</th><th>first page</th><th>stage</th><th>reason</th><th>attempts</th><th>received</th></tr></thead>
        <tbody>{{#items}}<tr><td><input type="checkbox" name="item_{{id}}" value="1"></td><td><a href="/items/{{id}}">#{{id}}</a></td>
        <td><img class="thumb" src="/api/items/{{id}}/pages/1.png?scale=0.08" alt="no picture" loading="lazy"></td>
        <td>{{stage}}</td><td>{{reason}}</td><td>{{attempts}}{{#permanent}} (permanent){{/permanent}}</td><td>{{receivedAt}}</td>
        <td><button type="submit" name="only" value="{{id}}" class="reprocess-one">Reprocess</button></td></tr>{{/items}}</tbody></table>
        {{#canReprocess}}<button type="submit" id="reprocess-selected">Reprocess selected</button>{{/canReprocess}}
        {{^canReprocess}}<p class="small">Reprocessing needs the operator role.</p>{{/canReprocess}}
        </form>
        {{^items}}<p>No failed items.</p>{{/items}}
        {{> footer}}
        """

    static let report = """
        {{> header}}
        <h1>Report</h1>
        <form method="get" action="/report" class="filters"><label>day <input name="day" value="{{day}}" placeholder="YYYY-MM-DD"></label> <button type="submit">Show</button></form>
        <h2>Live counts</h2>
        <table class="counts"><thead><tr><th>route</th><th>status</th><th>items</th></tr></thead>
        <tbody>{{#counts}}<tr><td>{{route}}</td><td>{{status}}</td><td>{{count}}</td></tr>{{/counts}}</tbody></table>
        <h2>Nightly report{{#day}} for {{.}}{{/day}}</h2>
        <iframe class="report" src="/report/nightly{{#day}}?day={{.}}{{/day}}" title="nightly report"></iframe>
        {{> footer}}
        """

    static let users = """
        {{> header}}
        <h1>Users</h1>
        {{#notice}}<p class="notice">{{.}}</p>{{/notice}}
        <table class="items"><thead><tr><th>name</th><th>role</th><th>locked until</th></tr></thead>
        <tbody>{{#users}}<tr><td>{{name}}</td><td>{{role}}</td><td>{{lockedUntil}}</td></tr>{{/users}}</tbody></table>
        <h2>Add a user</h2>
        <form method="post" action="/users" class="card">
          <input type="hidden" name="csrf_token" value="{{page.csrf}}">
          <label>name <input name="name" required></label>
          <label>role <select name="role"><option>reviewer</option><option>operator</option><option>admin</option></select></label>
          <label>password <input name="password" type="password" required minlength="10"></label>
          <button type="submit">Add</button>
        </form>
        {{> footer}}
        """
}
