import { LitElement, html } from 'lit';
import { JsonRpc } from 'jsonrpc';
import { cmsCacheStyles, errorOf } from './qwc-cms-cache-styles.js';

/**
 * Invalidations: the recent invalidation log of all instances, newest first, updated live.
 */
export class QwcCmsCacheInvalidations extends LitElement {

    jsonRpc = new JsonRpc(this);
    static styles = cmsCacheStyles;
    static properties = { _records: { state: true }, _error: { state: true } };

    constructor() {
        super();
        this._records = [];
    }

    connectedCallback() {
        super.connectedCallback();
        this.jsonRpc.getInvalidations({ max: 200 }).then(r => this._records = r.result)
            .catch(e => this._error = errorOf(e));
        this._stream = this.jsonRpc.streamInvalidations().onNext(r => {
            this._records = [r.result, ...this._records.filter(x => x.sequence < 0 || x.sequence !== r.result.sequence)]
                .slice(0, 1000);
        });
    }

    disconnectedCallback() {
        if (this._stream) {
            this._stream.cancel();
        }
        super.disconnectedCallback();
    }

    render() {
        const count = n => n < 0 ? html`<span class="muted">-</span>` : n;
        return html`
            ${this._error ? html`<p class="error">${this._error}</p>` : ''}
            <table id="invalidations">
                <tr><th>Time</th><th>#</th><th>Tags</th><th>Trigger</th><th>Instance</th>
                    <th class="num">Evicted from L1 here</th><th class="num">Deleted from Redis</th></tr>
                ${this._records.map(r => html`
                    <tr>
                        <td>${new Date(r.at).toLocaleTimeString()}</td>
                        <td>${r.sequence < 0 ? html`<span class="muted" title="did not reach Redis">local</span>` : r.sequence}</td>
                        <td>${r.tags.length ? r.tags.map(t => html`<span class="chip">${t}</span>`) : html`<span class="muted">whole L1</span>`}</td>
                        <td>${r.trigger} <span class="muted">${r.source}</span></td>
                        <td><code>${r.origin}</code>${r.local ? html` <span class="muted">(this one)</span>` : ''}</td>
                        <td class="num">${count(r.l1Evicted)}</td>
                        <td class="num">${count(r.redisDeleted)}</td>
                    </tr>`)}
            </table>
            ${this._records.length ? '' : html`<p class="muted">No invalidation yet.</p>`}`;
    }
}
customElements.define('qwc-cms-cache-invalidations', QwcCmsCacheInvalidations);
