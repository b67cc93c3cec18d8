/**
 * The settings editor's page: each rule's fields as GOV.UK components (radios, checkboxes,
 * inputs, selects, textareas) in fieldsets, with the list buttons ("Add another step", "Remove",
 * "Move up", "Move down") that post the whole form, so nothing needs JavaScript and unsaved
 * answers are kept. edit.njk draws the widgets in order.
 */
import type { FieldNode } from './policy-form-schema.ts';
import { idOf, itemsOf, optionWords, type FieldErrors } from './policy-form.ts';
import type { PolicySettings } from './policy-settings.ts';

export type Widget =
  | { type: 'html'; html: string }
  | {
      type: 'radios' | 'checkboxes' | 'input' | 'textarea' | 'select' | 'insetText';
      params: Record<string, unknown>;
    };

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

interface Ctx {
  errors: FieldErrors;
  settings: PolicySettings;
  out: Widget[];
}

function errorOf(ctx: Ctx, name: string) {
  const text = ctx.errors[name];
  return text ? { text } : undefined;
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

function button(verb: string, name: string, text: string, context: string, extra = ''): string {
  return `<button type="submit" name="_action" value="${escapeHtml(`${verb}:${name}`)}" class="govuk-button govuk-button--secondary${extra}" data-module="govuk-button">${escapeHtml(text)}<span class="govuk-visually-hidden"> ${escapeHtml(context)}</span></button>`;
}

/**
 * The widgets of one field. `label` is what it is called (the rule's label, or a sub-field's
 * words); `hint` is shown under it (the rule's source).
 */
function field(
  node: FieldNode,
  name: string,
  label: string,
  value: unknown,
  ctx: Ctx,
  opts: { hint?: string; small?: boolean } = {},
): void {
  const id = idOf(name);
  const hint = opts.hint ? { text: opts.hint } : undefined;
  const legend = { text: label, classes: 'govuk-fieldset__legend--s' };
  const labelParam = { text: label, classes: opts.small ? '' : 'govuk-label--s' };
  const errorMessage = errorOf(ctx, name);
  const words = (o: string) => optionWords(o, ctx.settings) ?? capitalise(o.replace(/_/g, ' '));
  switch (node.kind) {
    case 'key':
      ctx.out.push({
        type: 'html',
        html: `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(shown(value))}">`,
      });
      return;
    case 'kept':
      return;
    case 'fixed':
      ctx.out.push({
        type: 'insetText',
        params: {
          html: `<p class="govuk-body govuk-!-font-weight-bold">${escapeHtml(label)}</p><p class="govuk-body">${value === true ? 'Yes' : value === false ? 'No' : value === null ? 'Never' : escapeHtml(shown(value))}. The law sets this; it cannot be changed.</p>`,
        },
      });
      return;
    case 'boolean':
      ctx.out.push({
        type: 'radios',
        params: {
          name,
          idPrefix: id,
          classes: 'govuk-radios--inline govuk-radios--small',
          fieldset: { legend },
          hint,
          errorMessage,
          items: [
            { value: 'yes', text: 'Yes', checked: value === true },
            { value: 'no', text: 'No', checked: value === false },
          ],
        },
      });
      return;
    case 'choice': {
      const items = node.options.map((o) => ({ value: o, text: words(o) }));
      if (node.nullable) items.unshift({ value: '', text: 'None' });
      if (items.length <= 4) {
        ctx.out.push({
          type: 'radios',
          params: {
            name,
            idPrefix: id,
            classes: 'govuk-radios--small',
            fieldset: { legend },
            hint,
            errorMessage,
            items: items.map((i) => ({ ...i, checked: (value ?? '') === i.value })),
          },
        });
      } else {
        ctx.out.push({
          type: 'select',
          params: {
            name,
            id,
            label: labelParam,
            hint,
            errorMessage,
            items: items.map((i) => ({ ...i, selected: (value ?? '') === i.value })),
          },
        });
      }
      return;
    }
    case 'number': {
      const input = {
        name: node.nullable ? `${name}.number` : name,
        id: node.nullable ? `${id}-number` : id,
        label: node.nullable ? { text: 'Number' } : labelParam,
        hint: node.nullable
          ? undefined
          : (hint ?? (node.max !== undefined ? { text: `Up to ${node.max}` } : undefined)),
        errorMessage: node.nullable ? undefined : errorMessage,
        value: value === null ? '' : shown(value),
        inputmode: 'numeric',
        classes: `govuk-input--width-4${node.nullable && errorMessage ? ' govuk-input--error' : ''}`,
      };
      if (!node.nullable) {
        ctx.out.push({ type: 'input', params: input });
        return;
      }
      // "Never" or a number: the number's input shows under its radio (revealed without JS too).
      const inputHtml = `<div class="govuk-form-group"><label class="govuk-label" for="${escapeHtml(input.id)}">The number, if not never<span class="govuk-visually-hidden">: ${escapeHtml(label)}</span></label><input class="govuk-input govuk-input--width-4${errorMessage ? ' govuk-input--error' : ''}" id="${escapeHtml(input.id)}" name="${escapeHtml(input.name)}" type="text" inputmode="numeric" value="${escapeHtml(input.value)}"></div>`;
      ctx.out.push({
        type: 'radios',
        params: {
          name,
          idPrefix: id,
          classes: 'govuk-radios--small',
          fieldset: { legend },
          hint,
          errorMessage,
          items: [
            { value: 'never', text: 'Never (no limit)', checked: value === null },
            { value: 'number', text: 'A number', checked: value !== null },
          ],
        },
      });
      // The number under the radios, always shown (a conditional reveal's aria-expanded on a
      // radio is not allowed ARIA: axe refuses it once govuk-frontend's script runs).
      ctx.out.push({ type: 'html', html: inputHtml });
      return;
    }
    case 'text': {
      const params = { name, id, label: labelParam, hint, errorMessage, value: shown(value) };
      ctx.out.push(
        node.long
          ? { type: 'textarea', params: { ...params, rows: 3 } }
          : { type: 'input', params },
      );
      return;
    }
    case 'lines':
      ctx.out.push({
        type: 'textarea',
        params: {
          name,
          id,
          label: labelParam,
          hint: { text: `${opts.hint ? `${opts.hint}. ` : ''}One per line.` },
          errorMessage,
          rows: 6,
          value: Array.isArray(value) ? value.join('\n') : shown(value),
        },
      });
      return;
    case 'choices': {
      const chosen = Array.isArray(value) ? value.map(String) : [];
      const fromItems = node.from ? itemsOf(ctx.settings, node.from) : null;
      const options = fromItems ? fromItems.map((i) => i.key) : node.options;
      const text = (o: string) => fromItems?.find((i) => i.key === o)?.label ?? words(o);
      ctx.out.push({
        type: 'html',
        html: `<input type="hidden" name="${escapeHtml(name)}._list" value="1">`,
      });
      ctx.out.push({
        type: 'checkboxes',
        params: {
          name,
          idPrefix: id,
          classes: 'govuk-checkboxes--small',
          fieldset: { legend },
          hint: { text: `${opts.hint ? `${opts.hint}. ` : ''}Select all that apply.` },
          errorMessage,
          items: [...options, ...chosen.filter((o) => !options.includes(o))].map((o) => ({
            value: o,
            text: text(o),
            checked: chosen.includes(o),
          })),
        },
      });
      return;
    }
    case 'object': {
      const obj =
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
      open(ctx, name, label, opts.hint);
      for (const f of node.fields)
        field(f.node, `${name}.${f.name}`, f.label ?? words(f.name), obj[f.name], ctx, {
          small: true,
        });
      close(ctx);
      return;
    }
    case 'list': {
      const items = Array.isArray(value) ? value : [];
      open(ctx, name, label, opts.hint);
      ctx.out.push({
        type: 'html',
        html: `<input type="hidden" name="${escapeHtml(name)}._list" value="1">`,
      });
      items.forEach((item, i) => {
        const itemName = `${name}.${i}`;
        const title = `${capitalise(node.noun)} ${i + 1}`;
        const context = `${node.noun} ${i + 1} of ${label.toLowerCase()}`;
        ctx.out.push({
          type: 'html',
          html: `<div class="lanyard-list-item" id="${escapeHtml(idOf(itemName))}"><input type="hidden" name="${escapeHtml(itemName)}._item" value="1">`,
        });
        if (node.item.kind === 'object') {
          open(ctx, itemName, title, undefined, true);
          for (const f of node.item.fields)
            field(
              f.node,
              `${itemName}.${f.name}`,
              f.label ?? words(f.name),
              (item as Record<string, unknown>)?.[f.name],
              ctx,
              { small: true },
            );
          close(ctx);
        } else field(node.item, itemName, title, item, ctx, { small: true });
        const buttons = [
          i > 0 ? button('up', itemName, 'Move up', context) : '',
          i < items.length - 1 ? button('down', itemName, 'Move down', context) : '',
          button('remove', itemName, 'Remove', context, ' govuk-button--warning'),
        ].join('');
        ctx.out.push({
          type: 'html',
          html: `<div class="govuk-button-group">${buttons}</div></div>`,
        });
      });
      ctx.out.push({
        type: 'html',
        html: `<div class="govuk-button-group">${button('add', name, `Add another ${node.noun}`, `to ${label.toLowerCase()}`)}</div>`,
      });
      close(ctx);
      return;
    }
  }
}

function open(ctx: Ctx, name: string, label: string, hint: string | undefined, item = false): void {
  const id = idOf(name);
  const error = ctx.errors[name];
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  ctx.out.push({
    type: 'html',
    html: [
      `<div class="govuk-form-group${error ? ' govuk-form-group--error' : ''}">`,
      `<fieldset class="govuk-fieldset" id="${item ? `${escapeHtml(id)}-fieldset` : escapeHtml(id)}"${describedBy ? ` aria-describedby="${escapeHtml(describedBy)}"` : ''}>`,
      `<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">${escapeHtml(label)}</legend>`,
      hint ? `<div class="govuk-hint" id="${escapeHtml(id)}-hint">${escapeHtml(hint)}</div>` : '',
      error
        ? `<p class="govuk-error-message" id="${escapeHtml(id)}-error"><span class="govuk-visually-hidden">Error:</span> ${escapeHtml(error)}</p>`
        : '',
    ].join(''),
  });
}

function close(ctx: Ctx): void {
  ctx.out.push({ type: 'html', html: '</fieldset></div>' });
}

/** The widgets of one rule: its fields, then where it comes from (the school may cite its own policy). */
export function ruleWidgets(
  rule: { path: string; label: string; source: string; value: unknown; node: FieldNode },
  ctx: {
    errors: FieldErrors;
    settings: PolicySettings;
    citation?: { section: string; quote: string };
  },
): Widget[] {
  const c: Ctx = { errors: ctx.errors, settings: ctx.settings, out: [] };
  field(rule.node, rule.path, rule.label, rule.value, c, { hint: `From ${rule.source}` });
  if (rule.node.kind !== 'fixed') citationWidgets(rule.path, rule.label, ctx.citation, c);
  return c.out;
}

/** "Where this comes from in your school's policy": the section and (optionally) its words. */
function citationWidgets(
  path: string,
  label: string,
  citation: { section: string; quote: string } | undefined,
  ctx: Ctx,
): void {
  const name = `${path}._cite`;
  const id = idOf(name);
  const sectionError = ctx.errors[`${name}.section`];
  const quoteError = ctx.errors[`${name}.quote`];
  const input = (field: 'section' | 'quote', text: string, value: string, error?: string) =>
    `<div class="govuk-form-group${error ? ' govuk-form-group--error' : ''}"><label class="govuk-label" for="${id}-${field}">${escapeHtml(text)}</label>${error ? `<p class="govuk-error-message" id="${id}-${field}-error"><span class="govuk-visually-hidden">Error:</span> ${escapeHtml(error)}</p>` : ''}${
      field === 'section'
        ? `<input class="govuk-input govuk-input--width-20${error ? ' govuk-input--error' : ''}" id="${id}-${field}" name="${escapeHtml(name)}.${field}" type="text" value="${escapeHtml(value)}">`
        : `<textarea class="govuk-textarea${error ? ' govuk-textarea--error' : ''}" rows="2" id="${id}-${field}" name="${escapeHtml(name)}.${field}">${escapeHtml(value)}</textarea>`
    }</div>`;
  ctx.out.push({
    type: 'html',
    html: `<details class="govuk-details lanyard-cite"${sectionError || quoteError ? ' open' : ''}><summary class="govuk-details__summary"><span class="govuk-details__summary-text">Cite your school’s own policy<span class="govuk-visually-hidden"> for ${escapeHtml(label.toLowerCase())}</span></span></summary><div class="govuk-details__text">${input('section', 'Section of your school’s policy, for example 4.2 or ‘Photographs’', citation?.section ?? '', sectionError)}${input('quote', 'Its words (optional)', citation?.quote ?? '', quoteError)}</div></details>`,
  });
}
