"""scipy's `least_squares` with bounds on the bounded NIST StRD fits of
`crates/curvature-optim/tests/bounded_least_squares.rs`, for the comparison quoted there and in
the README. Not part of the test suite.

    pip install scipy
    python3 benches/scipy/bounded_nist.py [jac]     # "jac": x_scale="jac"; default x_scale=1

Same boxes as the test: for each parameter, the interval spanned by the start and the certified
value, widened on each side by half their distance plus 1e-3 |certified|. Tolerances
xtol = ftol = gtol = 1e-15, at most 20 000 evaluations. Prints the smallest LRE over the
parameters for the trust-region-reflective ("trf") and "dogbox" methods, and how many runs reach
LRE >= 4. ENSO, Nelson and Roszman1 are left out (their models are not written here): 48 of the
test's 54 runs.
"""

import re
import sys

import numpy as np
from scipy.optimize import least_squares

D = "crates/curvature-nist/data/"

MODELS = {
'Misra1a':lambda b,x:b[0]*(1-np.exp(-b[1]*x)),
'Chwirut2':lambda b,x:np.exp(-b[0]*x)/(b[1]+b[2]*x),
'Chwirut1':lambda b,x:np.exp(-b[0]*x)/(b[1]+b[2]*x),
'Lanczos3':lambda b,x:b[0]*np.exp(-b[1]*x)+b[2]*np.exp(-b[3]*x)+b[4]*np.exp(-b[5]*x),
'Gauss1':lambda b,x:b[0]*np.exp(-b[1]*x)+b[2]*np.exp(-(x-b[3])**2/b[4]**2)+b[5]*np.exp(-(x-b[6])**2/b[7]**2),
'Gauss2':lambda b,x:b[0]*np.exp(-b[1]*x)+b[2]*np.exp(-(x-b[3])**2/b[4]**2)+b[5]*np.exp(-(x-b[6])**2/b[7]**2),
'DanWood':lambda b,x:b[0]*x**b[1],
'Misra1b':lambda b,x:b[0]*(1-(1+b[1]*x/2)**(-2)),
'Kirby2':lambda b,x:(b[0]+b[1]*x+b[2]*x**2)/(1+b[3]*x+b[4]*x**2),
'Hahn1':lambda b,x:(b[0]+b[1]*x+b[2]*x**2+b[3]*x**3)/(1+b[4]*x+b[5]*x**2+b[6]*x**3),
'MGH17':lambda b,x:b[0]+b[1]*np.exp(-x*b[3])+b[2]*np.exp(-x*b[4]),
'Lanczos1':lambda b,x:b[0]*np.exp(-b[1]*x)+b[2]*np.exp(-b[3]*x)+b[4]*np.exp(-b[5]*x),
'Lanczos2':lambda b,x:b[0]*np.exp(-b[1]*x)+b[2]*np.exp(-b[3]*x)+b[4]*np.exp(-b[5]*x),
'Gauss3':lambda b,x:b[0]*np.exp(-b[1]*x)+b[2]*np.exp(-(x-b[3])**2/b[4]**2)+b[5]*np.exp(-(x-b[6])**2/b[7]**2),
'Misra1c':lambda b,x:b[0]*(1-(1+2*b[1]*x)**(-.5)),
'Misra1d':lambda b,x:b[0]*b[1]*x*((1+b[1]*x)**(-1)),
'MGH09':lambda b,x:b[0]*(x**2+x*b[1])/(x**2+x*b[2]+b[3]),
'Thurber':lambda b,x:(b[0]+b[1]*x+b[2]*x**2+b[3]*x**3)/(1+b[4]*x+b[5]*x**2+b[6]*x**3),
'BoxBOD':lambda b,x:b[0]*(1-np.exp(-b[1]*x)),
'Rat42':lambda b,x:b[0]/(1+np.exp(b[1]-b[2]*x)),
'MGH10':lambda b,x:b[0]*np.exp(b[1]/(x+b[2])),
'Eckerle4':lambda b,x:(b[0]/b[1])*np.exp(-0.5*((x-b[2])/b[1])**2),
'Rat43':lambda b,x:b[0]/((1+np.exp(b[1]-b[2]*x))**(1/b[3])),
'Bennett5':lambda b,x:b[0]*(b[1]+x)**(-1/b[2]),
}
def load(name):
    L=open(D+name+'.dat').read().split('\n')
    starts=[];cert=[]
    for l in L:
        m=re.match(r'\s*b\d+\s*=\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)',l)
        if m: starts.append((float(m[1]),float(m[2]))); cert.append(float(m[3]))
    i=[k for k,l in enumerate(L) if l.strip().startswith('Data:') and 'y' in l][-1]
    data=np.array([[float(v) for v in l.split()] for l in L[i+1:] if l.strip()])
    return np.array(starts),np.array(cert),data[:,0],data[:,1]
def lre(x, c):
    e=abs(x-c)/abs(c) if c!=0 else abs(x)
    return 11.0 if e==0 else min(11.0,-np.log10(e))
tot={}
scale = {'x_scale': 'jac'} if sys.argv[1:] == ['jac'] else {}
for name,mod in MODELS.items():
    st,c,y,x=load(name)
    for k in [0,1]:
        s=st[:,k]
        margin=0.5*abs(s-c)+1e-3*np.maximum(abs(c),1e-8)
        lo=np.minimum(s,c)-margin; hi=np.maximum(s,c)+margin
        out=[]
        for method in ['trf','dogbox']:
            try:
                r=least_squares(lambda b:mod(b,x)-y,s,bounds=(lo,hi),method=method,xtol=1e-15,ftol=1e-15,gtol=1e-15,max_nfev=20000,**scale)
                m=min(lre(a,b) for a,b in zip(r.x,c))
            except Exception as e: m=-1
            out.append(m); tot.setdefault(method,0); tot[method]+= m>=4
        print(f"{name:10} {k+1} trf {out[0]:5.2f} dogbox {out[1]:5.2f}")
print(tot)
