import csv, random
from scenes import SCENES
items=[]
for si,s in enumerate(SCENES):
    for (l,p,t) in s['replies']:
        items.append(dict(scene=si,label=l,pitfall=p,**{k:s[k] for k in ('technique','client_role','sector','context','client_says')},coach_says=t))
def ok(seq):
    for a,b in zip(seq,seq[1:]):
        if a['scene']==b['scene']: return False
    run=1
    for a,b in zip(seq,seq[1:]):
        run = run+1 if a['label']==b['label'] else 1
        if run>4: return False
    alt=1
    for a,b in zip(seq,seq[1:]):
        alt = alt+1 if a['label']!=b['label'] else 1
        if alt>6: return False
    return True
rng=random.Random(20261203)
while True:
    seq=items[:]; rng.shuffle(seq)
    if ok(seq): break
cols=['reply_id','technique','client_role','sector','context','client_says','coach_says']
for fn in ('corpus.csv','blind.csv'):
    with open(fn,'w',encoding='utf-8',newline='') as f:
        w=csv.writer(f); w.writerow(cols)
        for i,r in enumerate(seq,1):
            w.writerow([f'x-{i:03d}']+[r[c] for c in cols[1:]])
with open('writer_labels.csv','w',encoding='utf-8',newline='') as f:
    w=csv.writer(f); w.writerow(['reply_id','label','pitfall'])
    for i,r in enumerate(seq,1): w.writerow([f'x-{i:03d}',r['label'],r['pitfall']])
print('written')
