"""scipy's L-BFGS-B on the Hock–Schittkowski bound-constrained problems of
`crates/curvature-optim/tests/hock_schittkowski.rs` (published starts and bounds, analytic
gradients), for the counts in parentheses in the README's table. Not part of the test suite.

    pip install scipy
    python3 benches/scipy/hock_schittkowski.py
"""

import numpy as np
from scipy.optimize import minimize
def rosen(x): return 100*(x[1]-x[0]**2)**2+(1-x[0])**2, np.array([-400*x[0]*(x[1]-x[0]**2)-2*(1-x[0]), 200*(x[1]-x[0]**2)])
def hs3(x): return x[1]+1e-5*(x[1]-x[0])**2, np.array([-2e-5*(x[1]-x[0]), 1+2e-5*(x[1]-x[0])])
def hs4(x): return (x[0]+1)**3/3+x[1], np.array([(x[0]+1)**2, 1.0])
def hs5(x): return np.sin(x[0]+x[1])+(x[0]-x[1])**2-1.5*x[0]+2.5*x[1]+1, np.array([np.cos(x[0]+x[1])+2*(x[0]-x[1])-1.5, np.cos(x[0]+x[1])-2*(x[0]-x[1])+2.5])
def hs25(x):
    i=np.arange(1,100); u=25+(-50*np.log(0.01*i))**(2/3)
    e=np.exp(-(u-x[1])**x[2]/x[0]); r=e-0.01*i
    de0=e*(u-x[1])**x[2]/x[0]**2
    de1=e*x[2]*(u-x[1])**(x[2]-1)/x[0]
    de2=-e*(u-x[1])**x[2]*np.log(u-x[1])/x[0]
    return np.sum(r*r), np.array([np.sum(2*r*de0),np.sum(2*r*de1),np.sum(2*r*de2)])
def hs38(x):
    f=100*(x[1]-x[0]**2)**2+(1-x[0])**2+90*(x[3]-x[2]**2)**2+(1-x[2])**2+10.1*((x[1]-1)**2+(x[3]-1)**2)+19.8*(x[1]-1)*(x[3]-1)
    g=np.array([-400*x[0]*(x[1]-x[0]**2)-2*(1-x[0]), 200*(x[1]-x[0]**2)+20.2*(x[1]-1)+19.8*(x[3]-1),
      -360*x[2]*(x[3]-x[2]**2)-2*(1-x[2]), 180*(x[3]-x[2]**2)+20.2*(x[3]-1)+19.8*(x[1]-1)])
    return f,g
def hs45(x): p=np.prod(x); return 2-p/120, np.array([-p/xi/120 for xi in x])
def hs110(x):
    p=np.prod(x); f=np.sum(np.log(x-2)**2+np.log(10-x)**2)-p**0.2
    g=2*np.log(x-2)/(x-2)-2*np.log(10-x)/(10-x)-0.2*p**0.2/x
    return f,g
P=[('HS1',rosen,[-2,1],[(None,None),(-1.5,None)]),('HS2',rosen,[-2,1],[(None,None),(1.5,None)]),
('HS3',hs3,[10,1],[(None,None),(0,None)]),('HS4',hs4,[1.125,0.125],[(1,None),(0,None)]),
('HS5',hs5,[0,0],[(-1.5,4),(-3,3)]),('HS25',hs25,[100,12.5,3],[(0.1,100),(0,25.6),(0,5)]),
('HS38',hs38,[-3,-1,-3,-1],[(-10,10)]*4),('HS45',hs45,[2.0]*5,[(0,1),(0,2),(0,3),(0,4),(0,5)]),
('HS110',hs110,[9.0]*10,[(2.001,9.999)]*10)]
for name,f,x0,b in P:
    r=minimize(f,np.array(x0,float),jac=True,method='L-BFGS-B',bounds=b,options=dict(gtol=1e-9,ftol=1e-15,maxiter=1000,maxfun=10000))
    print(f"{name:6} f={r.fun:.10g} nit={r.nit} nfev={r.nfev} {r.message}")
