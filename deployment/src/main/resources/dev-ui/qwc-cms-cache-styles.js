import { css } from 'lit';

/** Styles shared by the CMS Cache pages: plain tables and forms in the Dev UI's Lumo colours. */
export const cmsCacheStyles = css`
    :host { display: block; padding: 10px 20px; font-size: var(--lumo-font-size-m); }
    table { border-collapse: collapse; width: 100%; margin-bottom: 1em; }
    th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--lumo-contrast-10pct); }
    th { color: var(--lumo-contrast-70pct); font-weight: normal; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    form, .bar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 1em; }
    input, select { padding: 4px 8px; font-size: inherit; background: var(--lumo-contrast-5pct);
        color: var(--lumo-body-text-color); border: 1px solid var(--lumo-contrast-20pct); border-radius: 4px; }
    input[type=text] { min-width: 22em; }
    button { padding: 4px 12px; cursor: pointer; font-size: inherit; border-radius: 4px;
        border: 1px solid var(--lumo-primary-color-50pct); background: var(--lumo-primary-color-10pct);
        color: var(--lumo-primary-text-color); }
    button.danger { border-color: var(--lumo-error-color-50pct); background: var(--lumo-error-color-10pct);
        color: var(--lumo-error-text-color); }
    .muted { color: var(--lumo-contrast-50pct); }
    .error { color: var(--lumo-error-text-color); }
    .chip { display: inline-block; padding: 0 6px; margin: 1px 2px; border-radius: 8px;
        background: var(--lumo-contrast-10pct); font-family: monospace; }
    .state-up { color: var(--lumo-success-text-color); }
    .state-degraded { color: var(--lumo-warning-text-color, orange); }
    .state-down { color: var(--lumo-error-text-color); }
    code, pre { font-family: monospace; }
    pre { background: var(--lumo-contrast-5pct); padding: 8px; white-space: pre-wrap; word-break: break-all;
        max-height: 20em; overflow: auto; }
    h3 { margin: 0.8em 0 0.4em 0; }
`;

/** The message of a failed JSON-RPC call. */
export function errorOf(e) {
    return e && e.error ? (e.error.message || JSON.stringify(e.error)) : String(e);
}
