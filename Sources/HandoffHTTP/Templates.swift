// The dashboard's Mustache templates and stylesheet, kept in the binary so that an installed handoffd
// needs no resource folder beside it.

extension Pages {
    /// The stylesheet: readable on a phone (one column under 700 px), no web fonts, no script.
    static let css = """
        :root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --bg: #f7f8fa; --link: #1d5fbf; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
        header { background: #102a43; color: #fff; padding: .6rem 1rem; display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: baseline; }
        header a { color: #fff; text-decoration: none; }
        header .brand { font-weight: 700; font-size: 1.1rem; }
        header nav a { margin-right: .9rem; opacity: .9; }
        main { padding: 1rem; max-width: 1400px; margin: 0 auto; }
        a { color: var(--link); }
        h1 { font-size: 1.4rem; margin: .2rem 0 .6rem; overflow-wrap: anywhere; }
        h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
        .muted { color: var(--muted); font-size: .9rem; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; margin-bottom: 1rem; }
        .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: .8rem; }
        .column { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6rem; min-width: 0; }
        .column h2 { margin: 0 0 .4rem; font-size: 1rem; display: flex; justify-content: space-between; }
        .packet { display: block; border-left: 4px solid var(--line); padding: .35rem .5rem; margin: .35rem 0; text-decoration: none; color: var(--ink); background: var(--bg); border-radius: 3px; }
        .packet strong { color: var(--link); }
        .packet .title { display: block; overflow-wrap: anywhere; }
        .s-draft { border-color: #9aa5b1; } .s-ready { border-color: #2f80ed; } .s-in_progress { border-color: #f2a93b; }
        .s-in_review { border-color: #9b51e0; } .s-delivered { border-color: #27ae60; } .s-cancelled { border-color: #c0392b; }
        .badge { display: inline-block; font-size: .75rem; padding: 0 .4rem; border-radius: 9px; background: var(--line); color: var(--ink); margin-left: .2rem; white-space: nowrap; }
        .badge.error, .badge.blocked, .badge.not_ready, .badge.rejected, .badge.tampering { background: #fde2e1; color: #9b1c1c; }
        .badge.warning, .badge.ongoing, .badge.unmet_dependencies { background: #fff3c4; color: #7a5b00; }
        .badge.state { background: #102a43; color: #fff; }
        svg.bar { width: 100%; height: 14px; display: block; border-radius: 3px; }
        svg.chart { width: 100%; max-width: 760px; height: auto; display: block; }
        svg .axis { font-size: 11px; fill: #52606d; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .8rem; margin: 0; }
        dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
        .table { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: .85rem; color: var(--muted); font-weight: 600; }
        code { font-size: .88em; overflow-wrap: anywhere; }
        .split { display: grid; grid-template-columns: 1fr 1fr; gap: .8rem; }
        ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid var(--line); }
        ol.timeline li { margin: 0 0 .7rem .8rem; position: relative; }
        ol.timeline li::before { content: ""; position: absolute; left: -1.22rem; top: .45rem; width: .6rem; height: .6rem; border-radius: 50%; background: #2f80ed; }
        ol.timeline li.rejected::before, ol.timeline li.tampering::before { background: #c0392b; }
        .finding { margin: .3rem 0; } .finding .line { font-family: ui-monospace, monospace; color: var(--muted); margin-right: .3rem; }
        ol.triage li { margin-bottom: .8rem; }
        .pager a { margin-right: 1rem; }
        @media (max-width: 700px) { .split { grid-template-columns: 1fr; } main { padding: .6rem; } h1 { font-size: 1.2rem; } }
        """

    /// Templates by name.
    static let all: [String: String] = [
        "layout": """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}}</title><link rel="stylesheet" href="/style.css"></head>
        <body><header><a class="brand" href="/">Handoff</a>{{#repository}}<nav><a href="/r/{{repository}}">{{repository}}</a><a href="/r/{{repository}}/triage">triage</a><a href="/r/{{repository}}/flow">flow</a><a href="/r/{{repository}}/events">events</a></nav>{{/repository}}</header>
        <main>{{{content}}}</main></body></html>
        """,
        "home": """
        <h1>Repositories</h1>
        {{#none}}<p class="muted">No repository is served.</p>{{/none}}
        {{#repositories}}<div class="card"><h2><a href="/r/{{name}}">{{name}}</a> <span class="muted">{{total}} packets</span>
        {{#stall}}<span class="badge blocked">stalled</span>{{/stall}}{{#waiting}}<span class="badge">first pass running</span>{{/waiting}}</h2>
        {{{chart}}}
        <p class="muted">published {{published}} · <a href="/r/{{name}}/triage">triage</a> · <a href="/r/{{name}}/flow">flow</a></p>
        {{#stall}}<p class="muted">A person must act: {{stall}}</p>{{/stall}}</div>{{/repositories}}
        """,
        "board": """
        <h1>{{name}}</h1>
        <p class="muted">status commit <code>{{commit}}</code> · published {{published}}{{#filtered}} · <a href="?">whole board</a>{{/filtered}}</p>
        {{{chart}}}
        <div class="columns" style="margin-top:.8rem">
        {{#columns}}<section class="column"><h2><span>{{label}}</span><span class="muted">{{count}}</span></h2>
        {{{rows}}}
        <p class="pager">{{#previous}}<a href="{{previous}}">previous</a>{{/previous}}{{#next}}<a href="{{next}}">more {{label}}</a>{{/next}}</p>
        </section>{{/columns}}
        </div>
        """,
        "packet": """
        <p class="muted"><a href="/r/{{repository}}">{{repository}}</a></p>
        <h1>{{id}}: {{title}}</h1>
        <div class="card"><span class="badge state">{{label}}</span>{{#blocked}}<span class="badge blocked">blocked</span>{{/blocked}}
        <dl class="facts" style="margin-top:.5rem"><dt>since</dt><dd>{{since}}</dd><dt>client</dt><dd>{{client}}</dd><dt>scope</dt><dd>{{scope}}</dd>
        <dt>assignee</dt><dd>{{assignee}}</dd><dt>reviewers</dt><dd>{{reviewers}}</dd><dt>round</dt><dd>{{round}}</dd>
        <dt>readiness</dt><dd>{{score}} ({{errors}} errors, {{warnings}} warnings)</dd><dt>spec revision</dt><dd><code>{{specRevision}}</code></dd>
        {{#dependsOn}}<dt>depends on</dt><dd>{{dependsOn}}</dd>{{/dependsOn}}</dl></div>
        <h2>Acceptance criteria and delivery evidence</h2>
        {{#noCriteria}}<p class="muted">No acceptance criteria were read.</p>{{/noCriteria}}
        {{^noCriteria}}<div class="table"><table><thead><tr><th>criterion</th><th>evidence{{^deliveryNote}} (no delivery note yet){{/deliveryNote}}</th></tr></thead><tbody>
        {{#criteria}}<tr><td><strong>{{id}}</strong> <span class="muted">line {{line}}</span><br>{{text}}</td>
        <td>{{#evidence}}<div><span class="badge">{{kind}}</span> <code>{{value}}</code></div>{{/evidence}}{{#missing}}<span class="muted">none</span>{{/missing}}</td></tr>{{/criteria}}
        </tbody></table></div>{{/noCriteria}}
        <div class="split"><section><h2>Findings</h2>
        {{#noFindings}}<p class="muted">No findings.</p>{{/noFindings}}
        {{#findingGroups}}<div class="card"><code>{{file}}</code>
        {{#findings}}<div class="finding"><span class="line">{{#line}}{{line}}{{/line}}{{^line}}—{{/line}}</span><span class="badge {{severity}}">{{severity}}</span> {{message}} <span class="muted">({{rule}})</span>{{#hint}}<div class="muted">{{hint}}</div>{{/hint}}</div>{{/findings}}
        </div>{{/findingGroups}}</section>
        <section><h2>History</h2><ol class="timeline">
        {{#history}}<li class="{{outcome}}"><span class="muted">{{at}}</span><br><strong>{{action}}</strong> by {{by}}{{#change}} · {{change}}{{/change}} <span class="badge {{outcome}}">{{outcome}}</span>
        {{#note}}<div>{{note}}</div>{{/note}}<div class="muted"><code>{{commit}}</code></div></li>{{/history}}
        </ol></section></div>
        """,
        "flow": """
        <h1>{{name}}: flow</h1>
        <p class="muted">Computed from the published histories, open stays measured up to {{asOf}}.</p>
        <h2>Per week</h2>{{#noWeeks}}<p class="muted">No transitions yet.</p>{{/noWeeks}}<div class="card">{{{chart}}}</div>
        <h2>Lead time of delivered packets</h2><div class="card">{{{leadChart}}}{{#noLead}}<p class="muted">Nothing delivered yet.</p>{{/noLead}}</div>
        <h2>Per client team (medians)</h2><div class="table"><table><thead><tr><th>team</th><th>packets</th><th>delivered</th><th>lead time</th><th>waiting ready</th><th>in progress</th><th>in review</th><th>review rounds</th><th>readiness at claim</th></tr></thead><tbody>
        {{#teams}}<tr><td>{{client}}</td><td>{{packets}}</td><td>{{delivered}}</td><td>{{lead}}</td><td>{{ready}}</td><td>{{progress}}</td><td>{{review}}</td><td>{{rounds}}</td><td>{{score}}</td></tr>{{/teams}}
        </tbody></table></div>
        <h2>Per packet</h2><div class="table"><table><thead><tr><th>packet</th><th>state</th><th>team</th><th>lead time</th><th>waiting ready</th><th>in progress</th><th>in review</th><th>rounds</th><th>readiness at claim</th></tr></thead><tbody>
        {{#packets}}<tr><td><a href="/r/{{name}}/packets/{{id}}">{{id}}</a></td><td>{{state}}</td><td>{{client}}</td><td>{{lead}}</td><td>{{ready}}</td><td>{{progress}}</td><td>{{review}}</td><td>{{rounds}}</td><td>{{score}}</td></tr>{{/packets}}
        </tbody></table></div>{{#hasMore}}<p class="muted">{{more}} more packets: see <code>/v1/repositories/{{name}}/flow</code>.</p>{{/hasMore}}
        """,
        "triage": """
        <h1>{{name}}: triage</h1>
        <p class="muted">Open packets, most fundamental blocker first, longest waiting first.</p>
        {{#none}}<p class="muted">Nothing open.</p>{{/none}}
        <ol class="triage">{{#items}}<li class="card" style="list-style-position:inside"><a href="/r/{{name}}/packets/{{id}}"><strong>{{id}}</strong></a> {{title}}
        <span class="badge {{blocker}}">{{blockerLabel}}</span><span class="badge">{{state}}</span>
        <div><strong>Next:</strong> {{action}}</div><div class="muted">who: {{who}} · waiting {{waiting}}</div></li>{{/items}}</ol>
        """,
        "events": """
        <h1>{{name}}: events</h1><p class="muted">{{total}} board events, newest first.</p>
        {{#none}}<p class="muted">No events.</p>{{/none}}
        <div class="table"><table><thead><tr><th>at</th><th>event</th><th>by</th><th>note</th></tr></thead><tbody>
        {{#events}}<tr><td>{{at}}</td><td>{{event}}</td><td>{{by}}</td><td>{{note}}</td></tr>{{/events}}</tbody></table></div>
        <p class="pager">{{#next}}<a href="{{next}}">older</a>{{/next}}</p>
        """,
        "problem": """
        <h1>{{title}}</h1><p>{{detail}}</p><p><a href="/">All repositories</a></p>
        """,
    ]
}
