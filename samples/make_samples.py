"""Generate the bundled sample papers (text written by the scipix-search authors, CC0).

Run: python samples/make_samples.py  — writes samples/*.pdf with PyMuPDF. The PDFs are
committed so the quick start needs no generator; this script shows how they were made.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf

HERE = Path(__file__).resolve().parent

PAPERS = {
    "heat-equation-note.pdf": (
        "A Short Note on the Heat Equation",
        [
            (
                "Abstract",
                "We recall how the heat equation describes the diffusion of temperature "
                "in a homogeneous rod, and how separation of variables yields a Fourier series "
                "solution that decays exponentially in time.",
            ),
            (
                "1 Introduction",
                "Let u(x, t) denote the temperature at position x and time t. "
                "Conservation of energy together with Fourier's law of conduction gives the partial "
                "differential equation u_t = k u_xx, where k > 0 is the thermal diffusivity of the "
                "material.",
            ),
            (
                "2 Separation of variables",
                "Seeking solutions of the form u(x, t) = X(x) T(t) "
                "splits the equation into two ordinary differential equations. With Dirichlet "
                "boundary conditions on the interval [0, L] the eigenfunctions are sin(n pi x / L) "
                "and every mode decays like exp(-k n^2 pi^2 t / L^2).",
            ),
            (
                "3 Energy estimate",
                "Multiplying the equation by u and integrating by parts shows "
                "that the energy E(t) = integral of u^2 dx is non-increasing, which proves "
                "uniqueness of solutions for the initial boundary value problem.",
            ),
        ],
    ),
    "gradient-descent-note.pdf": (
        "Convergence of Gradient Descent for Smooth Convex Functions",
        [
            (
                "Abstract",
                "We give a self-contained proof that gradient descent with a constant "
                "step size converges at rate O(1/k) on convex functions whose gradient is Lipschitz "
                "continuous, and linearly when the function is also strongly convex.",
            ),
            (
                "1 Setting",
                "Let f be convex and differentiable with an L-Lipschitz gradient. "
                "Gradient descent iterates x_{k+1} = x_k - eta grad f(x_k) with step size "
                "eta = 1/L, starting from an arbitrary point x_0.",
            ),
            (
                "2 Descent lemma",
                "The quadratic upper bound implied by the Lipschitz gradient "
                "guarantees that every step decreases the objective by at least the squared norm "
                "of the gradient divided by 2L.",
            ),
            (
                "3 Strong convexity",
                "If f is mu-strongly convex the distance to the minimiser "
                "contracts by the factor 1 - mu/L at every iteration, so the error decreases "
                "geometrically with the condition number controlling the speed.",
            ),
        ],
    ),
    "pythagorean-triples-note.pdf": (
        "Pythagorean Triples and Rational Points on the Circle",
        [
            (
                "Abstract",
                "Every primitive Pythagorean triple a^2 + b^2 = c^2 arises from a pair "
                "of coprime integers of opposite parity; we derive this classical parametrisation "
                "from the rational points on the unit circle.",
            ),
            (
                "1 Lines through a point",
                "A line of rational slope t through the point (-1, 0) "
                "meets the unit circle in exactly one more point, whose coordinates are rational "
                "functions of t. Clearing denominators gives Euclid's formula.",
            ),
            (
                "2 Euclid's formula",
                "For coprime integers m > n > 0 of opposite parity the "
                "numbers a = m^2 - n^2, b = 2mn and c = m^2 + n^2 form a primitive triple, and "
                "every primitive triple is obtained exactly once this way.",
            ),
        ],
    ),
}


def make(path: Path, title: str, sections: list[tuple[str, str]]) -> None:
    doc = pymupdf.open()
    for page_no, chunk in enumerate([sections[:2], sections[2:]], start=1):
        page = doc.new_page(width=595, height=842)
        page.insert_text((72, 40), "scipix-search sample papers", fontsize=8)
        page.insert_text((290, 810), str(page_no), fontsize=9)
        y = 80
        if page_no == 1:
            page.insert_textbox(
                pymupdf.Rect(72, y, 523, y + 60), title, fontsize=18, fontname="Times-Bold", align=1
            )
            page.insert_textbox(
                pymupdf.Rect(72, y + 55, 523, y + 75),
                "The scipix-search authors",
                fontsize=11,
                align=1,
            )
            y += 100
        for heading, body in chunk:
            page.insert_textbox(
                pymupdf.Rect(72, y, 523, y + 20), heading, fontsize=12, fontname="Times-Bold"
            )
            y += 22
            rect = pymupdf.Rect(72, y, 523, y + 160)
            rest = page.insert_textbox(rect, body, fontsize=11, fontname="Times-Roman")
            y += 160 + min(rest, 0) + 16
    doc.set_metadata({"title": title, "author": "The scipix-search authors"})
    doc.save(path, garbage=4, deflate=True)


if __name__ == "__main__":
    for name, (title, sections) in PAPERS.items():
        make(HERE / name, title, sections)
