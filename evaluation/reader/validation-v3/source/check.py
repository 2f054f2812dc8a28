import csv, json, collections, statistics as st, glob, re, sys
D='/work/v3-staging/'; M='/work/main/'
cols=['reply_id','technique','client_role','sector','context','client_says','coach_says']
c=list(csv.DictReader(open(D+'corpus.csv',encoding='utf-8')))
errs=[]
def E(m): errs.append(m)
if list(c[0].keys())!=cols: E('columns')
if open(D+'corpus.csv','rb').read()!=open(D+'blind.csv','rb').read(): E('blind differs')
if len(c)!=192: E('rows %d'%len(c))
if [r['reply_id'] for r in c]!=[f'x-{i:03d}' for i in range(1,193)]: E('ids')
L=list(csv.DictReader(open(D+'writer_labels.csv',encoding='utf-8')))
if list(L[0].keys())!=['reply_id','label','pitfall']: E('label cols')
if [r['reply_id'] for r in L]!=[r['reply_id'] for r in c]: E('label ids')
lab={r['reply_id']:r for r in L}
P={p['id'] for p in json.load(open(M+'src/powercoach/data/pitfalls.json'))}
T=[t['id'] for t in json.load(open(M+'src/powercoach/data/techniques.json'))['techniques']]
for r in L:
    if r['label']=='good' and r['pitfall']: E('good with pitfall '+r['reply_id'])
    if r['label']=='poor' and r['pitfall'] not in P: E('bad pitfall '+r['reply_id'])
    if r['label'] not in ('good','poor'): E('label '+r['reply_id'])
key=lambda r:(r['technique'],r['client_role'],r['sector'],r['context'],r['client_says'])
scenes=collections.defaultdict(list)
for r in c: scenes[key(r)].append(r)
if len(scenes)!=48: E('scenes %d'%len(scenes))
tc=collections.Counter(k[0] for k in scenes)
if set(tc)!=set(T) or any(v!=4 for v in tc.values()): E('per technique '+str(tc))
for k,v in scenes.items():
    ls=[lab[r['reply_id']]['label'] for r in v]
    if len(v)!=4 or ls.count('good')!=2: E('scene comp '+k[1])
    ps=[lab[r['reply_id']]['pitfall'] for r in v if lab[r['reply_id']]['label']=='poor']
    if len(set(ps))!=2: E('scene pitfalls '+k[1])
roles=[k[1] for k in scenes]
if len(set(roles))!=48: E('duplicate roles')
pc=collections.Counter(); pt=collections.defaultdict(set)
for r in c:
    l=lab[r['reply_id']]
    if l['label']=='poor': pc[l['pitfall']]+=1; pt[l['pitfall']].add(r['technique'])
for p in P:
    if pc[p]!=8 or len(pt[p])!=8: E('pitfall %s %d %d'%(p,pc[p],len(pt[p])))
labels=[lab[r['reply_id']]['label'] for r in c]
for a,b in zip(c,c[1:]):
    if key(a)==key(b): E('adjacent same scene '+a['reply_id'])
run=alt=mr=ma=1
for a,b in zip(labels,labels[1:]):
    run=run+1 if a==b else 1; alt=alt+1 if a!=b else 1; mr=max(mr,run); ma=max(ma,alt)
if mr>4: E('label run %d'%mr)
if ma>6: E('alternation %d'%ma)
res={}
for k in ('good','poor'):
    t=[r['coach_says'].strip() for r in c if lab[r['reply_id']]['label']==k]
    res[k]=dict(n=len(t),end=100*sum(x.endswith('?') for x in t)/len(t),any=100*sum('?' in x for x in t)/len(t),
                mean=st.mean(map(len,t)),med=st.median(map(len,t)),mn=min(map(len,t)),mx=max(map(len,t)))
    print(k,{a:round(b,1) for a,b in res[k].items()})
if abs(res['good']['end']-res['poor']['end'])>5: E('qmark balance')
if abs(res['good']['mean']-res['poor']['mean'])/res['good']['mean']>0.10: E('length balance')
print('longest label run',mr,'longest alternation',ma)
# overlap with earlier corpora and the bank
old_roles=set(); old_sectors=set(); old_text=[]
for f in [M+'evaluation/reader/validation/corpus.csv',M+'evaluation/reader/validation-v2/corpus.csv']:
    for r in csv.DictReader(open(f,encoding='utf-8')):
        old_roles.add(r['client_role'].lower()); old_sectors.add(r['sector'].lower()); old_text+= [r['coach_says'],r['client_says'],r['context']]
bank_sectors=set()
for f in glob.glob(M+'src/powercoach/data/bank/*.csv'):
    for r in csv.DictReader(open(f,encoding='utf-8')):
        old_roles.add(r['client_role'].lower()); bank_sectors.add(r['sector'].lower())
        old_text+=[r['coach_says'],r['client_says'],r['context'],r.get('better_response') or '']
for k in scenes:
    if k[1].lower() in old_roles: E('role reused '+k[1])
    if k[2].lower() in old_sectors: E('sector reused from v1/v2 '+k[2])
print('sectors also in bank:',[k[2] for k in scenes if k[2].lower() in bank_sectors])
w=lambda s:re.findall(r"[a-z']+",s.lower())
grams=set()
for s in old_text:
    x=w(s); grams|={tuple(x[i:i+6]) for i in range(len(x)-5)}
for r in c:
    for fld in ('coach_says','client_says','context'):
        x=w(r[fld]); hit={tuple(x[i:i+6]) for i in range(len(x)-5)}&grams
        if hit: print('6-gram shared',r['reply_id'],fld,[' '.join(h) for h in hit])
print('ERRORS:',errs if errs else 'none')
sys.exit(1 if errs else 0)
