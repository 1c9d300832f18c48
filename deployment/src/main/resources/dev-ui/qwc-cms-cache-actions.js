import { LitElement, html } from 'lit';
import { JsonRpc } from 'jsonrpc';
import { cmsCacheStyles, errorOf } from './qwc-cms-cache-styles.js';

/**
 * Actions: invalidate tags, clear a region, run the warmers now.
 */
export class QwcCmsCacheActions extends LitElement {

    jsonRpc = new JsonRpc(this);
    static styles = cmsCacheStyles;
    static properties = {
        _regions: { state: true }, _tags: { state: true }, _region: { state: true }, _message: { state: true },
        _error: { state: true }
    };

    constructor() {
        super();
        this._regions = [];
        this._tags = '';
        this._region = '';
    }

    connectedCallback() {
        super.connectedCallback();
        this.jsonRpc.getRegions().then(r => {
            this._regions = r.result.regions.map(x => x.region);
            this._region = this._regions[0] || '';
        });
    }

    _done(promise, describe) {
        promise.then(r => { this._message = describe(r.result); this._error = null; })
            .catch(e => { this._error = errorOf(e); this._message = null; });
    }

    _evictions(r) {
        return `${r.l1Evicted} evicted from L1` + (r.redisDeleted >= 0 ? `, ${r.redisDeleted} deleted from Redis` : '');
    }

    render() {
        return html`
            <h3>Invalidate tags</h3>
            <form @submit=${e => { e.preventDefault(); this._done(this.jsonRpc.invalidateTags({ tags: this._tags }), r => `Invalidated ${r.tags.join(', ')}: ${this._evictions(r)}`); }}>
                <input id="tags" type="text" placeholder="tags, separated by spaces: block:header menu:main" .value=${this._tags}
                    @input=${e => this._tags = e.target.value}>
                <button id="invalidate-tags" class="danger" type="submit">Invalidate</button>
            </form>
            <h3>Clear a region</h3>
            <form @submit=${e => { e.preventDefault(); this._done(this.jsonRpc.clearRegion({ region: this._region }), r => `Cleared ${this._region}: ${this._evictions(r)}`); }}>
                <select id="region" @change=${e => this._region = e.target.value}>
                    ${this._regions.map(r => html`<option value=${r} ?selected=${r === this._region}>${r}</option>`)}
                </select>
                <button id="clear-region" class="danger" type="submit">Clear region</button>
            </form>
            <h3>Warming</h3>
            <div class="bar">
                <button id="run-warmers" @click=${() => this._done(this.jsonRpc.runWarmers(), r => `Warmed ${r.hotEntries} most-read entries and ran ${r.warmers} warmers in ${r.tookMs} ms (${r.failed} failed, ${r.skipped} skipped)`)}>Run the warmers now</button>
            </div>
            ${this._error ? html`<p class="error">${this._error}</p>` : ''}
            ${this._message ? html`<p id="action-result">${this._message}</p>` : ''}`;
    }
}
customElements.define('qwc-cms-cache-actions', QwcCmsCacheActions);
