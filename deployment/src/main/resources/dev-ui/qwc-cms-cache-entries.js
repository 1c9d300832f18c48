import { LitElement, html } from 'lit';
import { JsonRpc } from 'jsonrpc';
import { cmsCacheStyles, errorOf } from './qwc-cms-cache-styles.js';

/**
 * Entries: search by region and key (prefix or substring, paged); for an entry, the levels holding it, its tags, age,
 * time to live and a value preview, with buttons to invalidate it or one of its tags.
 */
export class QwcCmsCacheEntries extends LitElement {

    jsonRpc = new JsonRpc(this);
    static styles = cmsCacheStyles;
    static properties = {
        _regions: { state: true }, _region: { state: true }, _query: { state: true }, _contains: { state: true },
        _page: { state: true }, _result: { state: true }, _entry: { state: true }, _message: { state: true },
        _error: { state: true }
    };

    constructor() {
        super();
        this._regions = [];
        this._region = '';
        this._query = '';
        this._contains = false;
        this._page = 0;
    }

    connectedCallback() {
        super.connectedCallback();
        this.jsonRpc.getRegions().then(r => this._regions = r.result.regions.map(x => x.region));
        this._search(0);
    }

    _search(page) {
        this._page = page;
        this.jsonRpc.searchEntries({ region: this._region, query: this._query, contains: this._contains, page: page, size: 50 })
            .then(r => { this._result = r.result; this._error = null; })
            .catch(e => this._error = errorOf(e));
    }

    _show(key) {
        this.jsonRpc.getEntry({ key: key }).then(r => { this._entry = r.result; this._error = null; })
            .catch(e => this._error = errorOf(e));
    }

    _invalidate(tag) {
        this.jsonRpc.invalidateTags({ tags: tag }).then(r => {
            this._message = `Invalidated ${tag}: ${r.result.l1Evicted} evicted from L1`
                + (r.result.redisDeleted >= 0 ? `, ${r.result.redisDeleted} deleted from Redis` : '');
            this._show(this._entry.key);
            this._search(this._page);
        }).catch(e => this._error = errorOf(e));
    }

    render() {
        return html`
            <form @submit=${e => { e.preventDefault(); this._search(0); }}>
                <select id="region" @change=${e => this._region = e.target.value}>
                    <option value="">all regions</option>
                    ${this._regions.map(r => html`<option value=${r} ?selected=${r === this._region}>${r}</option>`)}
                </select>
                <input id="query" type="text" placeholder="key" .value=${this._query}
                    @input=${e => this._query = e.target.value}>
                <label><input type="checkbox" .checked=${this._contains}
                    @change=${e => this._contains = e.target.checked}> contains (else: starts with)</label>
                <button id="search" type="submit">Search</button>
            </form>
            ${this._error ? html`<p class="error">${this._error}</p>` : ''}
            ${this._message ? html`<p>${this._message}</p>` : ''}
            ${this._renderResult()}
            ${this._renderEntry()}`;
    }

    _renderResult() {
        if (!this._result) {
            return '';
        }
        const r = this._result;
        return html`
            <table id="entries">
                <tr><th>Key</th><th>Region</th><th>Held in</th></tr>
                ${r.items.map(i => html`
                    <tr><td><a href="#" @click=${e => { e.preventDefault(); this._show(i.key); }}><code>${i.key}</code></a></td>
                        <td>${i.region}</td><td>${i.levels.join(', ')}</td></tr>`)}
            </table>
            ${r.redisError ? html`<p class="error">Redis could not be searched (${r.redisError}): entries of this instance's L1 only.</p>` : ''}
            ${r.items.length ? '' : html`<p class="muted">No entry matches.</p>`}
            <div class="bar">
                <button ?disabled=${r.page === 0} @click=${() => this._search(r.page - 1)}>Previous</button>
                <span class="muted">page ${r.page + 1}</span>
                <button ?disabled=${!r.hasMore} @click=${() => this._search(r.page + 1)}>Next</button>
            </div>`;
    }

    _renderEntry() {
        const e = this._entry;
        if (!e) {
            return '';
        }
        const seconds = ms => ms === undefined ? '-' : (ms / 1000).toFixed(1) + ' s';
        return html`
            <h3 id="entry-key"><code>${e.key}</code></h3>
            ${e.redisError ? html`<p class="error">Redis could not be read: ${e.redisError}</p>` : ''}
            ${e.levels.length === 0 ? html`<p class="muted">Not cached (any more).</p>` : html`
                <table>
                    <tr><th>Held in</th><td>${e.levels.join(', ')}</td></tr>
                    <tr><th>Age</th><td>${seconds(e.ageMs)}</td></tr>
                    <tr><th>Fresh in L1 for</th><td>${seconds(e.l1TtlMs)}</td></tr>
                    <tr><th>Lives in Redis for</th><td>${seconds(e.l2TtlMs)}</td></tr>
                    <tr><th>Depends on (tags)</th><td>${e.tags.map(t => html`
                        <span class="chip">${t}</span><button class="danger" title="Invalidate this tag"
                            @click=${() => this._invalidate(t)}>×</button>`)}</td></tr>
                </table>
                <div class="bar"><button class="danger" id="invalidate-entry" @click=${() => this._invalidate(e.key)}>Invalidate entry</button></div>
                <p class="muted">Value (${e.size} characters${e.previewTruncated ? ', preview cut' : ''}):</p>
                <pre>${e.negative ? '(negative entry: the loader returned null)' : e.preview}</pre>`}`;
    }
}
customElements.define('qwc-cms-cache-entries', QwcCmsCacheEntries);
