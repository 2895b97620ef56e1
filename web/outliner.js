// The outliner: the scene's hierarchy as a nested list (names, or kinds where a node has none), the
// selection marked; a click selects. Rebuilt from `engine.children()` when the scene changed (main.js calls
// `refresh()` from on_change), at most MAX_ROWS rows so a huge scene cannot stall the page.
//
//   const outliner = installOutliner(engine, element, { onSelect });  outliner.refresh();  outliner.dispose();

const MAX_ROWS = 400;

export function installOutliner(engine, element, { onSelect }) {
  let rows = 0;
  const row = (id, depth) => {
    const node = engine.get_node(id);
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.id = id;
    button.style.paddingLeft = `${4 + depth * 12}px`;
    button.textContent = node.name || node.kind;
    button.title = `${node.kind} ${id}`;
    if (engine.selected() === id) button.classList.add('selected');
    if (!node.visible) button.classList.add('hidden-node');
    item.append(button);
    return item;
  };
  const walk = (list, parent, depth) => {
    for (const id of engine.children(parent)) {
      if (rows >= MAX_ROWS) return;
      rows++;
      list.append(row(id, depth));
      walk(list, id, depth + 1);
    }
  };
  const refresh = () => {
    rows = 0;
    const list = document.createElement('ul');
    walk(list, undefined, 0);
    const total = engine.node_ids().length;
    if (total > rows) {
      const more = document.createElement('li');
      more.className = 'more';
      more.textContent = `… ${total - rows} more`;
      list.append(more);
    }
    element.replaceChildren(list);
  };
  const onClick = (event) => {
    const id = event.target.closest('button[data-id]')?.dataset.id;
    if (id) onSelect(id);
  };
  element.addEventListener('click', onClick);
  refresh();
  return { refresh, dispose: () => element.removeEventListener('click', onClick) };
}
