import { LitElement, html } from 'lit';
import { JsonRpc } from 'jsonrpc';
import { cmsCacheStyles, errorOf } from './qwc-cms-cache-styles.js';

/**
 * Regions: per region and level, entries, bytes, hit ratio, loads, load time, evictions and invalidations; and the
 * state of Redis.
 */
export class QwcCmsCacheRegions extends LitElement {

    jsonRpc = new JsonRpc(this);
    static styles = cmsCacheStyles;
    static properties = { _data: { state: true }, _error: { state: true } };

    connectedCallback() {
        super.connectedCallback();
        this._load();
        this._timer = setInterval(() => this._load(), 3000);
    }

    disconnectedCallback() {
        clearInterval(this._timer);
        super.disconnectedCallback();
    }

    _load() {
        this.jsonRpc.getRegions().then(r => { this._data = r.result; this._error = null; })
            .catch(e => this._error = errorOf(e));
    }

    render() {
        if (this._error) {
            return html`<p class="error">${this._error}</p>`;
        }
        if (!this._data) {
            return html`<p class="muted">Loading...</p>`;
        }
        const d = this._data;
        return html`
            <div class="bar">
                <span>Redis (L2): <strong class="state-${d.l2State}" id="l2-state">${d.l2State}</strong></span>
                <span class="muted">key prefix <code>${d.keyPrefix}</code>, version <code>${d.keyVersion}</code>,
                    instance <code>${d.instance}</code></span>
                ${d.enabled ? '' : html`<span class="error">cache disabled</span>`}
            </div>
            <table id="regions">
                <tr><th>Region</th><th>Level</th><th class="num">Entries</th><th class="num">Bytes</th>
                    <th class="num">Hits</th><th class="num">Misses</th><th class="num">Hit ratio</th>
                    <th class="num">Loads</th><th class="num">Load time</th><th class="num">Evictions</th>
                    <th class="num">Invalidations</th><th class="num">Errors</th></tr>
                ${d.regions.map(r => html`
                    <tr>
                        <td rowspan="2"><strong>${r.region}</strong></td><td>L1</td>
                        <td class="num">${r.l1Entries}</td><td class="num">${r.l1Bytes || '-'}</td>
                        <td class="num">${r.l1Hits}</td><td class="num">${r.l1Misses}</td>
                        <td class="num" rowspan="2">${(100 * r.hitRatio).toFixed(1)}%</td>
                        <td class="num" rowspan="2">${r.loads}${r.loadFailures ? html` <span class="error">(${r.loadFailures} failed)</span>` : ''}</td>
                        <td class="num" rowspan="2">${r.loadTimeMs} ms</td>
                        <td class="num">${r.evictions}</td><td class="num">${r.invalidations}</td><td class="num">-</td>
                    </tr>
                    <tr>
                        <td>Redis</td>
                        ${r.l2Enabled ? html`
                            <td class="num muted">-</td><td class="num muted">-</td>
                            <td class="num">${r.l2Hits}</td><td class="num">${r.l2Misses}</td>
                            <td class="num muted">-</td><td class="num muted">-</td><td class="num">${r.l2Errors}</td>`
                        : html`<td colspan="7" class="muted">off</td>`}
                    </tr>`)}
            </table>
            ${d.regions.length ? '' : html`<p class="muted">No region was used yet.</p>`}`;
    }
}
customElements.define('qwc-cms-cache-regions', QwcCmsCacheRegions);
