# One image for every service; the command chooses (deploy/k8s.py):
#   python -m deploy.serve intake      a service (SIGTERM: graceful stop)
#   python -m deploy.migrate intake    its migrations (a Job)
#   python -m deploy.topology          the broker topology (a Job)
#   python -m deploy.preflight intake  waits for both (an init container)
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PYTHONWARNINGS=ignore::DeprecationWarning
WORKDIR /app
# The bulletin's CJK font (services/reports: BULLETIN_FONT).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-wqy-zenhei \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY core core
COPY deploy deploy
COPY services services
RUN useradd --uid 10001 --user-group --no-create-home petition
USER 10001
EXPOSE 8000 9100
CMD ["python", "-m", "deploy.serve", "gateway"]
