// One labelled figure. Its box has a fixed height, so a value arriving does not move the layout.
export function Figure({ id, label, value, big }: { id: string; label?: string; value: string; big?: boolean }) {
  if (big) {
    return (
      <p className="figure big" data-testid={id}>
        {value}
      </p>
    );
  }
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd data-testid={id}>{value}</dd>
    </div>
  );
}
