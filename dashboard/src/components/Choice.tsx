// A switch between a few values of one URL parameter (level, attribution model, grain, basis):
// pressed buttons, like the day presets; the default value is left out of the URL.
import { choice, navigateWith, useRoute } from "../lib/route.ts";

export function Choice<T extends string>({
  name,
  label,
  options,
  fallback,
}: {
  name: string;
  label: string;
  options: readonly { value: T; label: string }[];
  fallback: T;
}) {
  const route = useRoute();
  const current = choice(
    route.params,
    name,
    options.map((o) => o.value),
    fallback,
  );
  return (
    <div className="choice">
      <span className="choice-label">{label}</span>
      <div className="presets" role="group" aria-label={label} data-choice={name}>
        {options.map((o) => (
          <button
            key={o.value}
            type="button"
            data-value={o.value}
            aria-pressed={current === o.value}
            onClick={() => navigateWith(route, { [name]: o.value === fallback ? null : o.value })}
          >
            {o.label}
          </button>
        ))}
      </div>
    </div>
  );
}
