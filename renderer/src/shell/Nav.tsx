import { VIEW_NAV, type ViewId } from '../views/view-types';

interface Props {
  active: ViewId;
  onSelect: (view: ViewId) => void;
}

export function Nav({ active, onSelect }: Props) {
  return (
    <nav className="dd-nav" aria-label="Views">
      {VIEW_NAV.map((view, index) => (
        <button
          key={view.id}
          type="button"
          className={`dd-nav-item${view.id === active ? ' dd-nav-active' : ''}`}
          aria-current={view.id === active ? 'page' : undefined}
          onClick={() => onSelect(view.id)}
          title={index < 10 ? `${view.label} (Alt+${(index + 1) % 10})` : view.label}
        >
          <span className="dd-nav-glyph" aria-hidden="true">
            {view.glyph}
          </span>
          <span className="dd-nav-label">{view.label}</span>
          {/* Alt+1 … Alt+0 reach the first ten views; later ones have no shortcut. */}
          {index < 10 && <kbd className="dd-nav-key">{(index + 1) % 10}</kbd>}
        </button>
      ))}
    </nav>
  );
}
