//! Device-loss recovery: a lost device is replaced by a new one and every GPU resource rebuilt from the
//! document (GPU state is a cache of it; nothing in the scene is lost). `render_frame` drives it while
//! the device is lost; requests are spaced by [`crate::recovery_backoff`] when losses repeat.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicU32;

use app_render::{Gpu, Renderer};

use super::State;
use crate::create::{request_gpu, surface_config};
use crate::device_watch::DeviceWatch;
use crate::{bridge, web};

impl State {
    /// Starts or finishes replacing a lost device. Returns true once a new device is installed and
    /// this frame can draw.
    pub(super) fn drive_recovery(&mut self) -> bool {
        let Some(slot) = self.recovery.clone() else {
            if !self.backoff.may_request(web::now_ms()) {
                return false; // lost again soon after a recovery, or the last request failed: wait
            }
            // Newly lost: ask for a new adapter and device in the background. The surface goes with
            // the request (WebGL2 adapters are made from it) and comes back with the answer.
            let slot = Rc::new(RefCell::new(None));
            let answer = slot.clone();
            let instance = self.instance.clone();
            let surface = self.surface.take();
            let max_samples = self.max_samples;
            wasm_bindgen_futures::spawn_local(async move {
                let result = request_gpu(&instance, surface.as_ref(), max_samples).await;
                if Rc::strong_count(&answer) == 1 {
                    // The engine was freed (or collected) while we waited: nobody will install this
                    // device, so release it now; dropping it would leave its GPU memory to the
                    // browser's garbage collector. No watch exists for it, so this loss is silent.
                    if let Ok((_, gpu)) = &result {
                        gpu.device.destroy();
                    }
                    return;
                }
                *answer.borrow_mut() = Some((surface, result));
            });
            self.recovery = Some(slot);
            return false;
        };
        let Some((surface, result)) = slot.borrow_mut().take() else {
            return false; // still waiting
        };
        self.recovery = None;
        self.surface = surface;
        match result {
            Ok((adapter, gpu)) => {
                self.install_gpu(adapter, &gpu);
                self.backoff.recovered(web::now_ms());
                true
            }
            Err(error) => {
                // The lost flag stays set: a later frame asks again, after the back-off's wait.
                self.backoff.request_failed(web::now_ms());
                web_sys::console::warn_1(
                    &format!(
                        "recreating the GPU device failed, retrying in {} ms: {error}",
                        self.backoff.wait_ms()
                    )
                    .into(),
                );
                false
            }
        }
    }

    /// Replaces every GPU resource with new ones on `gpu`, rebuilt from the document; the view (camera,
    /// AOV, selection, peers' highlights) carries over.
    fn install_gpu(&mut self, adapter: wgpu::Adapter, gpu: &Gpu) {
        let mut renderer = Renderer::new(gpu);
        renderer.camera = self.renderer.camera;
        renderer.set_aov(self.renderer.aov());
        bridge::rebuild_renderer(&mut self.scene, &mut renderer);
        renderer.set_selected(self.renderer.selected());
        renderer.set_peer_highlights(&self.presence.highlights());
        renderer.set_peer_cameras(&self.presence.cameras());
        self.renderer = renderer;
        // The canvas (or offscreen target) of the lost device holds nothing of the new one's.
        self.last_drawn = None;
        self.watch = Rc::new(DeviceWatch::new(&gpu.device));
        self.adapter = adapter;
        self.offscreen = None;
        // Frames on the lost device will never report completion.
        self.frames_in_flight = Arc::new(AtomicU32::new(0));
        if let (Some(surface), true) = (&self.surface, self.present)
            && let Ok((config, render_format)) = surface_config(
                surface,
                &self.adapter,
                self.config.width,
                self.config.height,
            )
        {
            self.config = config;
            self.render_format = render_format;
            surface.configure(&gpu.device, &self.config);
        }
        self.renderer.prepare_output(self.render_format);
        self.device_losses += 1;
    }

    /// Frees GPU memory now rather than when the browser collects the device (`free()`). The watch
    /// is silenced first: this loss is intended.
    pub fn release_gpu(&mut self) {
        self.watch.silence();
        self.renderer.gpu().device.destroy();
        // A device that arrived after a loss but was not installed yet is ours too. (One still being
        // requested is destroyed by the recovery task when it finds the engine gone.)
        if let Some(slot) = self.recovery.take()
            && let Ok(mut slot) = slot.try_borrow_mut()
            && let Some((_, Ok((_, gpu)))) = slot.take()
        {
            gpu.device.destroy();
        }
    }

    /// Simulates device loss (the `debug_lose_device` test hook): on WebGPU the device is really
    /// destroyed and the browser reports the loss; on WebGL2, where a wgpu device cannot be destroyed,
    /// it is marked lost and goes through the same recovery.
    pub fn lose_device(&mut self) {
        if self.backend == "webgpu" {
            self.renderer.gpu().device.destroy();
        } else {
            self.watch.mark_lost();
        }
    }
}
