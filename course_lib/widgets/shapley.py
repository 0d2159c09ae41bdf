"""An ipywidgets panel for notebook 01: edit the prize table, watch the shares and the axioms."""
from __future__ import annotations

import html

from ..shapley import Game, check_axioms, equal_split, proportional_split, shapley_values

__all__ = ["prize_table_panel", "shares_report"]


def shares_report(game: Game) -> str:
    """HTML: the Shapley shares next to two other rules, and which axioms each one keeps."""
    rules = {"Shapley": shapley_values, "equal split": equal_split,
             "proportional to standalone": proportional_split}
    head = "".join(f"<th>{html.escape(str(p))}</th>" for p in game.players)
    rows, verdicts = [], []
    for name, rule in rules.items():
        try:
            shares = rule(game)
        except ValueError as error:  # e.g. proportional split with standalone worths summing to 0
            rows.append(f"<tr><td>{name}</td><td colspan={game.n_players}>{html.escape(str(error))}</td></tr>")
            continue
        cells = "".join(f"<td>{shares[p]:.3f}</td>" for p in game.players)
        rows.append(f"<tr><td>{name}</td>{cells}</tr>")
        report = check_axioms(game, shares)
        broken = [axiom for axiom, check in report.items() if check.holds is False]
        verdicts.append(f"<b>{name}</b>: " + ("keeps efficiency, symmetry and dummy" if not broken
                                             else "breaks " + ", ".join(broken)))
    table = f"<table><tr><th>rule</th>{head}</tr>{''.join(rows)}</table>"
    return table + "<p>" + "<br>".join(verdicts) + "</p>"


def prize_table_panel(game: Game):
    """A panel with one number box per coalition; the shares and axioms update as you type."""
    import ipywidgets as widgets

    boxes = {S: widgets.FloatText(value=game(S), description=game.name(S),
                                  layout=widgets.Layout(width="180px"))
             for S in game.coalitions()}
    output = widgets.HTML()

    def update(change=None):
        try:
            edited = Game(game.players, {S: box.value for S, box in boxes.items()})
            output.value = shares_report(edited)
        except (TypeError, ValueError) as error:
            output.value = f"<p style='color:#b00'>{html.escape(str(error))}</p>"

    for box in boxes.values():
        box.observe(update, names="value")
    update()
    grid = widgets.GridBox(list(boxes.values()),
                           layout=widgets.Layout(grid_template_columns="repeat(4, 190px)"))
    panel = widgets.VBox([widgets.HTML("<b>Prize table</b>: edit v(S) and watch the shares"),
                          grid, output])
    panel.boxes, panel.output = boxes, output  # handles for tests and curious learners
    return panel
