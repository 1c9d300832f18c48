import { LitElement, html } from 'lit';
import { JsonRpc } from 'jsonrpc';
import { cmsCacheStyles, errorOf } from './qwc-cms-cache-styles.js';

/**
 * Dependencies: every entry that depends on a tag, grouped by region; and what an entry depends on. Where a user checks
 * that a page really depends on the block they think.
 */
export class QwcCmsCacheDependencies extends LitElement {

    jsonRpc = new JsonRpc(this);
    static styles = cmsCacheStyles;
    static properties = {
        _tag: { state: true }, _dependents: { state: true }, _key: { state: true }, _entry: { state: true },
        _error: { state: true }
    };

    constructor() {
        super();
        this._tag = '';
        this._key = '';
    }

    _findDependents(tag) {
        this._tag = tag;
        this.jsonRpc.getDependents({ tag: tag }).then(r => { this._dependents = r.result; this._error = null; })
            .catch(e => this._error = errorOf(e));
    }

    _findDependencies(key) {
        this._key = key;
        this.jsonRpc.getEntry({ key: key }).then(r => { this._entry = r.result; this._error = null; })
            .catch(e => this._error = errorOf(e));
    }

    render() {
        return html`
            <h3>Which entries depend on a tag?</h3>
            <form @submit=${e => { e.preventDefault(); this._findDependents(this._tag.trim()); }}>
                <input id="tag" type="text" placeholder="a tag, e.g. block:header" .value=${this._tag}
                    @input=${e => this._tag = e.target.value}>
                <button id="find-dependents" type="submit">Show dependents</button>
            </form>
            ${this._renderDependents()}
            <h3>What does an entry depend on?</h3>
            <form @submit=${e => { e.preventDefault(); this._findDependencies(this._key.trim()); }}>
                <input id="key" type="text" placeholder="an entry key, e.g. rendered:home:en" .value=${this._key}
                    @input=${e => this._key = e.target.value}>
                <button id="find-dependencies" type="submit">Show dependencies</button>
            </form>
            ${this._error ? html`<p class="error">${this._error}</p>` : ''}
            ${this._renderDependencies()}`;
    }

    _renderDependents() {
        const d = this._dependents;
        if (!d) {
            return '';
        }
        const regions = Object.keys(d.regions);
        return html`
            <p id="dependents-summary">${d.count} ${d.count === 1 ? 'entry depends' : 'entries depend'} on <span class="chip">${d.tag}</span></p>
            <div id="dependents">
            ${regions.map(region => html`
                <h4>${region} <span class="muted">(${d.regions[region].length})</span></h4>
                <ul class="region" data-region=${region}>
                    ${d.regions[region].map(key => html`<li><a href="#" @click=${e => { e.preventDefault(); this._findDependencies(key); }}><code>${key}</code></a></li>`)}
                </ul>`)}
            </div>`;
    }

    _renderDependencies() {
        const e = this._entry;
        if (!e) {
            return '';
        }
        if (e.levels.length === 0) {
            return html`<p class="muted"><code>${e.key}</code> is not cached.</p>`;
        }
        return html`
            <p><code>${e.key}</code> (in ${e.levels.join(', ')}) depends on:</p>
            <ul id="dependencies">
                ${e.tags.map(t => html`<li><a href="#" @click=${ev => { ev.preventDefault(); this._findDependents(t); }}><span class="chip">${t}</span></a></li>`)}
            </ul>`;
    }
}
customElements.define('qwc-cms-cache-dependencies', QwcCmsCacheDependencies);
