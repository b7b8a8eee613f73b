import test from 'ava';
import { appReducer, editText, initialAppState, isYes } from '../../../source/tui/state/app-state.js';

test('tab cycles through the panes and wraps around', (t) => {
  let state = appReducer(initialAppState, { type: 'cyclePane', step: -1 });
  t.is(state.pane, 'prune');
  state = appReducer(state, { type: 'cyclePane', step: 1 });
  t.is(state.pane, 'containers');
  t.is(appReducer(state, { type: 'cyclePane', step: 1 }).pane, 'logs');
});

test('switching panes closes the help overlay', (t) => {
  const state = appReducer(appReducer(initialAppState, { type: 'help', open: true }), {
    type: 'pane',
    pane: 'images',
  });
  t.false(state.help);
  t.is(state.pane, 'images');
});

test('prompt text edits: typing, space, backspace, ctrl+u, control keys ignored', (t) => {
  t.is(editText('we', 'b', 'b'), 'web');
  t.is(editText('a', 'space', ' '), 'a ');
  t.is(editText('web', 'backspace', ''), 'we');
  t.is(editText('web', 'ctrl+u', 'u'), '');
  t.is(editText('web', 'up', ''), undefined);
  t.is(editText('web', 'ctrl+s', 's'), undefined);
});

test('only y answers yes', (t) => {
  t.true(isYes('y'));
  t.true(isYes('Y'));
  t.false(isYes('n'));
  t.false(isYes(''));
  t.false(isYes('\r'));
});

test('promptText without a prompt changes nothing', (t) => {
  t.is(appReducer(initialAppState, { type: 'promptText', text: 'x' }), initialAppState);
});
