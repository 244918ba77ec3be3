"""Build the bundled sample papers of the quick start (text by the scipix-search authors, CC0).

Run: ``python samples/make_samples.py`` — typesets the LaTeX below with pdflatex (TeX Live:
``scripts/install_tex.sh``) into ``samples/*.pdf``. The PDFs are committed so that the quick start
needs neither TeX nor this script. The sources live here rather than as ``.tex`` files beside the
PDFs because ``ingest samples/`` would pair each PDF with its source and read the equations from
the LaTeX; the demo is meant to show equations read from the PDF, as for any downloaded paper.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

SOURCES: dict[str, str] = {
    "gradient-descent-note": r"""% A sample paper of the scipix-search quick start (text by the scipix-search authors, CC0).
\documentclass[11pt]{article}
\usepackage{amsmath,amssymb}
\usepackage[margin=1in]{geometry}
\title{Convergence of Gradient Descent for Smooth Convex Functions}
\author{The scipix-search authors}
\date{2026}
\begin{document}
\maketitle
\begin{abstract}
We give a self-contained proof that gradient descent with a constant step size converges at
rate $O(1/k)$ on convex functions whose gradient is Lipschitz continuous, and linearly when the
function is also strongly convex.
\end{abstract}

\section{Setting}
Let $f:\mathbb{R}^d \to \mathbb{R}$ be convex and differentiable with an $L$-Lipschitz gradient,
$\|\nabla f(x) - \nabla f(y)\| \le L \|x - y\|$. Gradient descent starts from an arbitrary point
$x_0$ and iterates
\begin{equation}
  x_{k+1} = x_k - \eta \nabla f(x_k), \qquad \eta = \frac{1}{L}.
  \label{eq:gd}
\end{equation}

\section{Descent lemma}
The quadratic upper bound implied by the Lipschitz gradient,
\begin{equation}
  f(y) \le f(x) + \nabla f(x)^{\top}(y - x) + \frac{L}{2}\|y - x\|^2 ,
\end{equation}
applied to one step of \eqref{eq:gd} guarantees that every step decreases the objective by at
least the squared norm of the gradient divided by $2L$. Summing over the iterations gives
\begin{equation}
  f(x_k) - f(x^\star) \le \frac{L \|x_0 - x^\star\|^2}{2k}.
\end{equation}

\section{Strong convexity}
If $f$ is $\mu$-strongly convex, the distance to the minimiser $x^\star$ contracts at every
iteration,
\begin{equation}
  \|x_{k} - x^\star\|^2 \le \left(1 - \frac{\mu}{L}\right)^{k} \|x_0 - x^\star\|^2 ,
\end{equation}
so the error decreases geometrically, with the condition number $\kappa = L/\mu$ controlling the speed.
\end{document}
""",
    "heat-equation-note": r"""% A sample paper of the scipix-search quick start (text by the scipix-search authors, CC0).
\documentclass[11pt]{article}
\usepackage{amsmath,amssymb}
\usepackage[margin=1in]{geometry}
\title{A Short Note on the Heat Equation}
\author{The scipix-search authors}
\date{2026}
\begin{document}
\maketitle
\begin{abstract}
We recall how the heat equation describes the diffusion of temperature in a homogeneous rod,
and how separation of variables yields a Fourier series solution that decays exponentially in time.
\end{abstract}

\section{Introduction}
Let $u(x,t)$ denote the temperature at position $x$ and time $t$. Conservation of energy
together with Fourier's law of conduction gives the partial differential equation
\begin{equation}
  \frac{\partial u}{\partial t} = k \frac{\partial^2 u}{\partial x^2},
  \label{eq:heat}
\end{equation}
where $k > 0$ is the thermal diffusivity of the material, with the initial temperature
$u(x,0) = f(x)$ and the ends of the rod held at zero, $u(0,t) = u(L,t) = 0$.

\section{Separation of variables}
Seeking solutions of the form $u(x,t) = X(x)\,T(t)$ splits \eqref{eq:heat} into two ordinary
differential equations, $T' = -k\lambda T$ and $X'' + \lambda X = 0$. The boundary conditions
allow only $\lambda_n = n^2\pi^2/L^2$, and the solution is the Fourier series
\begin{equation}
  u(x,t) = \sum_{n=1}^{\infty} b_n \sin\left(\frac{n \pi x}{L}\right) e^{-k n^2 \pi^2 t / L^2},
  \qquad
  b_n = \frac{2}{L}\int_0^L f(x) \sin\left(\frac{n\pi x}{L}\right) dx .
\end{equation}
Every mode decays exponentially in time, the higher modes fastest.

\section{Energy estimate}
Multiplying \eqref{eq:heat} by $u$ and integrating by parts shows that the energy is non-increasing:
\begin{align}
  E(t) &= \frac{1}{2}\int_0^L u(x,t)^2 \, dx, \\
  \frac{dE}{dt} &= -k \int_0^L \left(\frac{\partial u}{\partial x}\right)^2 dx \le 0 ,
\end{align}
which proves the uniqueness of solutions of the initial boundary value problem.
\end{document}
""",
    "pythagorean-triples-note": r"""% A sample paper of the scipix-search quick start (text by the scipix-search authors, CC0).
\documentclass[11pt]{article}
\usepackage{amsmath,amssymb}
\usepackage[margin=1in]{geometry}
\title{Pythagorean Triples and Rational Points on the Circle}
\author{The scipix-search authors}
\date{2026}
\begin{document}
\maketitle
\begin{abstract}
Every primitive Pythagorean triple arises from a pair of coprime integers of opposite parity;
we derive this classical parametrisation from the rational points on the unit circle.
\end{abstract}

\section{Lines through a point}
A Pythagorean triple is a solution in positive integers of
\begin{equation}
  a^2 + b^2 = c^2 .
  \label{eq:pyth}
\end{equation}
Dividing by $c^2$, a triple is a rational point $(x,y) = (a/c, b/c)$ on the unit circle
$x^2 + y^2 = 1$. A line of rational slope $t$ through the point $(-1,0)$ meets the circle in
exactly one more point,
\begin{equation}
  x = \frac{1 - t^2}{1 + t^2}, \qquad y = \frac{2t}{1 + t^2},
\end{equation}
whose coordinates are rational functions of $t$.

\section{Euclid's formula}
Writing $t = n/m$ and clearing denominators gives Euclid's formula: for coprime integers
$m > n > 0$ of opposite parity the numbers
\begin{equation}
  a = m^2 - n^2, \qquad b = 2mn, \qquad c = m^2 + n^2
\end{equation}
form a primitive solution of \eqref{eq:pyth}, and every primitive triple is obtained exactly
once this way, up to swapping $a$ and $b$.
\end{document}
""",
}


def typeset(name: str, source: str, out_dir: Path) -> Path:
    """Two pdflatex runs (for \\eqref), with a fixed date so that the PDF bytes do not change."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "FORCE_SOURCE_DATE": "1"}
    with tempfile.TemporaryDirectory() as work:
        tex = Path(work) / f"{name}.tex"
        tex.write_text(source, encoding="utf-8")
        for _ in range(2):
            subprocess.run(
                ["pdflatex", "-interaction=batchmode", "-halt-on-error", tex.name],
                cwd=work,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        pdf = out_dir / f"{name}.pdf"
        shutil.copyfile(tex.with_suffix(".pdf"), pdf)
    return pdf


if __name__ == "__main__":
    for name, source in SOURCES.items():
        typeset(name, source, HERE)
