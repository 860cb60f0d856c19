/// The report's one stylesheet, inline in the page: system fonts only, light and dark colours with
/// text at 4.5:1 or more and chart marks at 3:1 or more against their background, and a layout
/// whose every box shrinks to the viewport (nothing has a fixed width wider than a phone).
enum Stylesheet {
    static let css = """
        :root {
          color-scheme: light dark;
          --bg: #f4f6f8; --card: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d5dbe1;
          --grid: #e7eaee; --axis: #8c959f; --track: #e6e9ed;
          --q: #2160c4; --a: #c0500a; --ok: #177233; --bad: #c4302b;
          --warn-bg: #fff5e0; --warn-fg: #7a4b00; --ok-bg: #e6f4ea; --bad-bg: #fde8e7;
        }
        @media (prefers-color-scheme: dark) {
          :root {
            --bg: #0e1116; --card: #161b22; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d;
            --grid: #242a31; --axis: #6e7781; --track: #2a3038;
            --q: #6ea8fe; --a: #f0883e; --ok: #3fb950; --bad: #ff7b72;
            --warn-bg: #3a2a0c; --warn-fg: #f2cc60; --ok-bg: #12261a; --bad-bg: #3b1513;
          }
        }
        *, *::before, *::after { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
        body {
          margin: 0; background: var(--bg); color: var(--fg);
          font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", "DejaVu Sans", sans-serif;
          overflow-wrap: anywhere;
        }
        header, main, footer { max-width: 62rem; margin: 0 auto; padding: 0 1rem; }
        header { padding-top: 2rem; padding-bottom: 1rem; }
        .eyebrow { margin: 0; color: var(--muted); font-size: .8125rem; font-weight: 600; letter-spacing: .06em; text-transform: uppercase; }
        h1 { margin: .25rem 0 .75rem; font-size: 1.875rem; line-height: 1.2; letter-spacing: -.01em; }
        h2 { margin: 0 0 1rem; font-size: 1.25rem; line-height: 1.3; }
        h3 { margin: 1.75rem 0 .5rem; font-size: 1rem; line-height: 1.4; }
        h2 + h3 { margin-top: 0; }
        p { margin: .5rem 0; }
        .muted { color: var(--muted); }
        dl.meta { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: 0; font-size: .875rem; }
        dl.meta div { display: flex; gap: .4rem; min-width: 0; }
        dl.meta dt { color: var(--muted); }
        dl.meta dd { margin: 0; font-variant-numeric: tabular-nums; }
        .badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .8125rem; font-weight: 600; }
        .badge.ok { background: var(--ok-bg); color: var(--ok); }
        .badge.bad { background: var(--bad-bg); color: var(--bad); }
        section { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 1.25rem 1.5rem 1.5rem; margin: 0 0 1rem; }
        .stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(8.5rem, 1fr)); gap: .75rem; margin: 0 0 1rem; padding: 0; list-style: none; }
        .stats li { border: 1px solid var(--line); border-radius: 10px; padding: .75rem 1rem; min-width: 0; }
        .stats .number { display: block; font-size: clamp(1.25rem, 5.5vw, 1.75rem); font-weight: 650; line-height: 1.2; font-variant-numeric: tabular-nums; overflow-wrap: normal; }
        .stats .what { display: block; color: var(--muted); font-size: .875rem; }
        .stats .bad .number { color: var(--bad); }
        .note { border-radius: 8px; padding: .5rem .75rem; font-size: .9375rem; }
        .note.warn { background: var(--warn-bg); color: var(--warn-fg); }
        .note.ok { background: var(--ok-bg); color: var(--ok); }
        .legend { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: 0 0 .75rem; padding: 0; list-style: none; font-size: .875rem; }
        .legend li { display: flex; align-items: center; gap: .4rem; }
        .swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 3px; }
        .swatch.q { background: var(--q); }
        .swatch.a { background: var(--a); }
        figure { margin: 0; min-width: 0; }
        svg.chart { display: block; overflow: visible; max-width: 100%; }
        svg.columns { width: calc(100% - 3rem); margin-left: 3rem; }
        svg.donut { margin: 0 auto; }
        svg text { fill: var(--fg); font-family: inherit; font-size: 13px; }
        svg .value, svg .total { font-variant-numeric: tabular-nums; font-weight: 600; }
        svg .tick { fill: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
        svg .group { font-weight: 600; }
        svg .highlighted .label { font-weight: 700; }
        svg .wide { display: none; }
        @media (min-width: 40rem) { svg .narrow { display: none; } svg .wide { display: inline; } }
        svg .grid { stroke: var(--grid); stroke-width: 1; }
        svg .baseline { stroke: var(--axis); stroke-width: 1; }
        svg .hit { fill: transparent; }
        svg .q { fill: var(--q); }
        svg .a { fill: var(--a); }
        svg .ok { fill: var(--ok); }
        svg .bad { fill: var(--bad); }
        svg .track { fill: var(--track); }
        svg .track-ring { stroke: var(--track); }
        svg .arc { stroke: var(--ok); }
        svg .donut-value { font-size: 30px; font-weight: 700; }
        svg .donut-caption { fill: var(--muted); font-size: 12px; }
        .split { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1.5rem 2rem; align-items: start; }
        @media (min-width: 60rem) { .split { grid-template-columns: auto minmax(0, 1fr); } .split h3 { margin-top: 0; } }
        details { margin: .75rem 0 0; }
        summary { cursor: pointer; color: var(--muted); font-size: .875rem; }
        table { width: 100%; table-layout: fixed; border-collapse: collapse; margin: .5rem 0 0; font-size: .875rem; font-variant-numeric: tabular-nums; }
        caption { text-align: left; color: var(--muted); padding-bottom: .25rem; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-weight: 600; }
        tbody th { font-weight: 500; }
        .num { text-align: right; width: 6.5rem; }
        code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: .875em; }
        footer { padding-top: .5rem; padding-bottom: 2.5rem; color: var(--muted); font-size: .8125rem; }
        @media (max-width: 36rem) {
          header { padding-top: 1.25rem; }
          h1 { font-size: 1.5rem; }
          section { padding: 1rem 1rem 1.25rem; border-radius: 10px; }
          .stats li { padding: .75rem; }
          th, td { padding: .3rem .35rem; }
          .num { width: 5.5rem; }
          table.stack, table.stack tbody, table.stack tr, table.stack th, table.stack td { display: block; width: auto; }
          table.stack thead { display: none; }
          table.stack caption { display: block; }
          table.stack tbody th { font-weight: 600; }
          table.stack tr { border-bottom: 1px solid var(--line); padding: .4rem 0; }
          table.stack th, table.stack td { border: 0; padding: .1rem .35rem; text-align: left; }
          table.stack td::before { content: attr(data-label) ": "; color: var(--muted); }
        }
        """
}
