import test from 'ava';
import { applyOverrides, commandFor, conflicts, defaultKeymap, footerFor } from '../../source/tui/keymap.js';

test('the default keymap has no conflicting keys within a scope', (t) => {
  t.deepEqual(conflicts(defaultKeymap), []);
});

test('pane bindings win over global ones for the same key', (t) => {
  t.is(commandFor(defaultKeymap, '/', 'logs'), 'logs.search');
  t.is(commandFor(defaultKeymap, '/', 'containers'), 'list.filter');
  t.is(commandFor(defaultKeymap, 'q', 'logs'), 'app.quit');
  t.is(commandFor(defaultKeymap, 'd', 'images'), 'image.remove');
  t.is(commandFor(defaultKeymap, 'Z', 'images'), undefined);
});

test('overrides remap by id and report unknown ids', (t) => {
  const { keymap, unknown } = applyOverrides(defaultKeymap, { 'container.toggle': 'S', 'no.such': 'x' });
  t.is(commandFor(keymap, 'S', 'containers'), 'container.toggle');
  t.is(commandFor(keymap, 's', 'containers'), undefined);
  t.deepEqual(unknown, ['no.such']);
  t.is(commandFor(defaultKeymap, 's', 'containers'), 'container.toggle', 'the default table is untouched');
});

test('the footer lists the pane commands before the global ones', (t) => {
  const footer = footerFor(defaultKeymap, 'logs');
  t.deepEqual(footer[0], { key: 'f', label: 'follow' });
  t.deepEqual(footer.at(-1), { key: '?', label: 'help' });
  t.false(
    footer.some((entry) => entry.label === 'exec'),
    'container keys are not offered in the logs pane',
  );
});
